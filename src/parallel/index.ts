export { analyzeInParallel, defaultWorkerCount, mergeResults } from './pool.js';
