import { TaskAction } from '../../core';
import { acquireLock } from './acquire-lock';
import { Action } from './action-kit';
import { checkCalendar } from './check-calendar';
import { checkGuards } from './check-guards';
import { checkProvision } from './check-provision';
import { checkRetire } from './check-retire';
import { promote } from './promote';
import { provision } from './provision';
import { registerVersion } from './register-version';
import { release } from './release';
import { retire } from './retire';
import { revert } from './revert';
import { rollback } from './rollback';
import { shiftTraffic } from './shift-traffic';
import { smokeTest } from './smoke-test';

/** Every Task of the state machine, by its `action` name. */
export const ACTIONS: Record<TaskAction, Action> = {
  acquireLock,
  registerVersion,
  provision,
  checkProvision,
  smokeTest,
  shiftTraffic,
  checkGuards,
  promote,
  rollback,
  revert,
  retire,
  checkRetire,
  release,
  checkCalendar,
};
