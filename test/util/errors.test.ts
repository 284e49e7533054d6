import { describe, expect, it } from 'vitest';
import { errorMessage } from '../../src/util/errors.js';

describe('errorMessage', () => {
  it('is the message of an Error, subclasses included', () => {
    expect(errorMessage(new RangeError('offset 12 is past the end'))).toBe('offset 12 is past the end');
  });

  it('is the string form of anything else thrown', () => {
    expect(errorMessage('bad tag')).toBe('bad tag');
    expect(errorMessage(42)).toBe('42');
    expect(errorMessage(undefined)).toBe('undefined');
  });
});
