import { describe, expect, it } from 'vitest';
import { INPUT_NAMES, INPUTS, pickInputs, validateAnalysisInputs, type AnalysisInputs } from '../../src/analysis-inputs.js';
import { analyze } from '../../src/analyze.js';
import { buildProgram } from '../../src/cli/main.js';
import { savedInputs, withSavedInputs } from '../../src/cli/expect.js';

const CAPTURE = 'captures/mtls/nginx-tls12-valid-client-cert.pcap';

describe('AnalysisInputs: validated once at the edge', () => {
  it('names the field and its option when a value has the wrong shape', () => {
    expect(() => validateAnalysisInputs({ clientCaFiles: 'ca.pem' as unknown as string[] })).toThrow('clientCaFiles (--ca): expected an array of file names');
    expect(() => validateAnalysisInputs({ verifyDepth: -1 })).toThrow('verifyDepth (--verify-depth): expected a whole number ≥ 0');
    expect(() => validateAnalysisInputs({ keyPassword: 42 as unknown as string })).toThrow('keyPassword (--key-password): expected a string');
    expect(() => validateAnalysisInputs({ serverCrlFiles: ['a.crl'], verifyDepth: 2, psks: ['00ff'] })).not.toThrow();
  });

  it('analyze() rejects a wrongly shaped input before reading anything', async () => {
    await expect(analyze(CAPTURE, { serverCrlFiles: 'x.crl' as unknown as string[] })).rejects.toThrow('serverCrlFiles (--server-crl)');
  });

  it('pickInputs keeps the inputs and only them (what a worker thread is handed)', () => {
    const options = { keyLogFiles: ['k.log'], verifyDepth: 0, filter: () => true, workers: 4 };
    expect(pickInputs(options)).toEqual({ keyLogFiles: ['k.log'], verifyDepth: 0 });
  });
});

describe('INPUTS: one name per input outside the code', () => {
  it('each input is filled by an option of the default command, check and baseline', () => {
    const program = buildProgram(() => {});
    for (const command of [program, ...program.commands]) {
      const flags = command.options.map((o) => o.long);
      for (const name of INPUT_NAMES) expect(flags, `${command.name()} ${INPUTS[name].flag}`).toContain(INPUTS[name].flag);
    }
  });

  it('an expectation file records the inputs outcomes depend on under their saved keys, and check takes them back', () => {
    const inputs: AnalysisInputs = { clientCaFiles: ['ca.pem'], serverCrlFiles: ['s.crl'], verifyDepth: 1, keyLogFiles: ['k.log'] };
    const saved = savedInputs(inputs, (p) => `dir/${p}`);
    expect(saved).toEqual({ clientCa: ['dir/ca.pem'], serverCa: [], cert: [], crl: [], serverCrl: ['dir/s.crl'], verifyDepth: 1 });
    // The command line wins where it gave something; the rest comes from the file, listed to check it exists.
    const { inputs: merged, fromFile } = withSavedInputs({ crlFiles: ['given.crl'], verifyDepth: undefined }, saved, (p) => `near/${p}`);
    expect(merged.clientCaFiles).toEqual(['near/dir/ca.pem']);
    expect(merged.crlFiles).toEqual(['given.crl']);
    expect(merged.serverCrlFiles).toEqual(['near/dir/s.crl']);
    expect(merged.verifyDepth).toBe(1);
    expect(fromFile.map(([what]) => what)).toEqual(['client CA', 'server CA', 'certificate', 'server CRL']);
  });
});
