export { analyzeInParallel, chooseWorkerCount, defaultWorkerCount, analyzeInParallelStream, PARALLEL_MIN_BYTES } from './pool.js';
