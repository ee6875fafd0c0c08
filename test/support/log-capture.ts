// The log lines of every app a test file builds, for the file's own checks and for the
// no-secrets check after it. A module of its own, so that check loads no server code.
import { Writable } from 'node:stream';

export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void) {
    this.lines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  }
  get text() {
    return this.lines.join('\n');
  }
}

const captures: LogCapture[] = [];
/** Every log line of every app built in this test file. */
export const allLogs = () => captures.flatMap((c) => c.lines);
/** Adds a capture to those the no-secrets check reads. */
export function registerLogs(capture: LogCapture): LogCapture {
  captures.push(capture);
  return capture;
}
