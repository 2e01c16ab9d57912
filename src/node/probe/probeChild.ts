import { ProbeError } from './probeError';
import { isParentToChild, type ChildToParent } from './probeMessages';
import { probeInProcess } from './probeSession';

/**
 * The probe process's side of the channel: waits for one `run` job, reports progress, sends the
 * report or a `ProbeError` description, and exits. It also exits when the parent goes away, so
 * a killed extension host never leaves an ORT process behind.
 */
export function startProbeChild(): void {
  const send = (m: ChildToParent) => new Promise<void>((done) => {
    if (process.send) process.send(m, undefined, undefined, () => done());
    else done();
  });
  process.on('disconnect', () => process.exit(0));
  process.once('message', (m: unknown) => {
    if (!isParentToChild(m)) {
      void send({ type: 'error', error: { kind: 'crashed', message: 'the probe process received an unknown message' } }).then(() => process.exit(1));
      return;
    }
    const { job } = m;
    probeInProcess(job.modelPath, job.options, job.analysis, {
      onProgress: (stage, done, total) => void send({ type: 'progress', stage, done, total }),
    })
      .then((report) => send({ type: 'result', report }))
      .catch((e: unknown) => {
        const error = e instanceof ProbeError ? e.toJSON() : { kind: 'prepare-failed' as const, message: e instanceof Error ? e.message : String(e) };
        return send({ type: 'error', error });
      })
      .finally(() => process.exit(0));
  });
}
