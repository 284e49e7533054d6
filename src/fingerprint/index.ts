export { ja4, ja4AlpnCode, type Ja4AlpnRule, type Ja4Options, type Ja4Fingerprint, type Ja4Transport } from './ja4.js';
export { ja3, ja3s, type Ja3Fingerprint, type Ja3sFingerprint } from './ja3.js';
