// Community ID v1 against the spec's published baseline (github.com/corelight/community-id-spec,
// baseline/baseline_deflt.json and baseline_seed1.json): the TCP flows, both directions, IPv4 and IPv6, plus
// the UDP and SCTP rows, which exercise the protocol byte.
import { describe, expect, it } from 'vitest';
import { communityId } from '../../src/report/community-id.js';

const BASELINE: Array<[number, string, string, number, number, string, string]> = [
  // proto, saddr, daddr, sport, dport, seed 0, seed 1
  [6, '128.232.110.120', '66.35.250.204', 34855, 80, '1:LQU9qZlK+B5F3KDmev6m5PMibrg=', '1:3V71V58M3Ksw/yuFALMcW0LAHvc='],
  [6, '66.35.250.204', '128.232.110.120', 80, 34855, '1:LQU9qZlK+B5F3KDmev6m5PMibrg=', '1:3V71V58M3Ksw/yuFALMcW0LAHvc='],
  [6, '2001:470:e5bf:dead:4957:2174:e82c:4887', '2607:f8b0:400c:c03::1a', 63943, 25, '1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=', '1:eJYTW6AOzFLlSUoESovMjnu7rMw='],
  [6, '2607:f8b0:400c:c03::1a', '2001:470:e5bf:dead:4957:2174:e82c:4887', 25, 63943, '1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=', '1:eJYTW6AOzFLlSUoESovMjnu7rMw='],
  [17, '192.168.1.52', '8.8.8.8', 54585, 53, '1:d/FP5EW3wiY1vCndhwleRRKHowQ=', '1:Q9We8WO3piVF8yEQBNJF4uiSVrI='],
  [132, '192.168.170.56', '192.168.170.8', 7, 7, '1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=', '1:5w3ZRjeKBzqT3zsaEECDGjUbYeg='],
];

describe('communityId (Community ID v1)', () => {
  it.each(BASELINE)('proto %i %s → %s', (proto, saddr, daddr, sport, dport, seed0, seed1) => {
    expect(communityId({ ip: saddr, port: sport }, { ip: daddr, port: dport }, proto)).toBe(seed0);
    expect(communityId({ ip: saddr, port: sport }, { ip: daddr, port: dport }, proto, 1)).toBe(seed1);
  });

  it('orders equal addresses by port, and gives null for what is no IP address', () => {
    const a = communityId({ ip: '127.0.0.1', port: 50000 }, { ip: '127.0.0.1', port: 443 });
    expect(a).toBe(communityId({ ip: '127.0.0.1', port: 443 }, { ip: '127.0.0.1', port: 50000 }));
    expect(communityId({ ip: '10.0.0.1', port: 1 }, { ip: 'host.example', port: 2 })).toBeNull();
    // An IPv4-mapped IPv6 address is 16 bytes, written the same either way.
    expect(communityId({ ip: '::ffff:10.0.0.1', port: 1 }, { ip: '::1', port: 2 })).toBe(communityId({ ip: '::ffff:a00:1', port: 1 }, { ip: '::1', port: 2 }));
  });
});
