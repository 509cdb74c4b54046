import { quietSdkNodeNotice } from '../simulator/quiet';
import { Job, runJob } from './run-job';

/** A worker process: runs the jobs its parent sends, one at a time, and answers each with its figures. */
quietSdkNodeNotice();
process.on('message', (message: { job?: Job; stop?: boolean }) => {
  if (message.stop) {
    process.disconnect();
    return;
  }
  const job = message.job!;
  runJob(job).then(
    (result) => process.send!({ result, rssMb: process.memoryUsage().rss / 1e6 }),
    (error: Error) => process.send!({ failed: { ...job, error: error.stack ?? error.message } }),
  );
});
process.send!({ ready: true });
