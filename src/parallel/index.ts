export { analyzeInParallel, chooseWorkerCount, defaultWorkerCount, mergeResults, PARALLEL_MIN_BYTES } from './pool.js';
