// Entry of the probe child process (bundled to dist/probeWorker.js; forked by runProbe). It runs
// onnxruntime on one model and reports back over IPC; see src/node/probe/probeChild.ts.
import { startProbeChild } from '../node/probe/probeChild';

startProbeChild();
