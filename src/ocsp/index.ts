export { parseOcspResponse, isOcspParseError } from './parse.js';
export type { OcspSummary, OcspSingleResponse, OcspParseError, OcspCertStatus, OcspResponseStatusName } from './parse.js';
