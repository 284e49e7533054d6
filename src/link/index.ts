export { decodeLink, createLinkLayer, NETWORK_IPV4, NETWORK_IPV6, NETWORK_OTHER, type LinkLayer, type NetworkProtocol } from './decode-link.js';
export * from './link-types.js';
