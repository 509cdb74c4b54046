import * as FakeTimers from '@sinonjs/fake-timers';

/**
 * One virtual clock for the whole simulation: Date, setTimeout and setInterval are faked, so Wait states, bake
 * times, service delays and the traffic generator all run on simulated time. setImmediate and process.nextTick stay
 * real: in-process I/O (the DynamoDB twin) finishes between two virtual instants.
 */
export class VirtualClock {
  private readonly clock: ReturnType<typeof FakeTimers.install>;
  readonly startedAt: number;

  constructor(startMs: number) {
    this.startedAt = startMs;
    this.clock = FakeTimers.install({
      now: startMs,
      toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'],
      shouldClearNativeTimers: true,
      loopLimit: 10_000_000,
    });
  }

  now(): number {
    return this.clock.now;
  }

  /** Seconds since the simulation started. */
  elapsedSeconds(): number {
    return (this.clock.now - this.startedAt) / 1000;
  }

  /** Fires the next due timer (advancing time to it); false when no timer is pending. */
  fireNext(): boolean {
    if (this.clock.countTimers() === 0) return false;
    this.clock.next();
    return true;
  }

  uninstall(): void {
    this.clock.uninstall();
  }
}
