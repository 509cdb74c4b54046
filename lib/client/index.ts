export * from './cohort-router';
