import { describe, expect, it } from 'vitest';
import { validationMessage } from '../../../src/shared/index.js';

describe('validationMessage - what a client needs to fix a request that failed its schema', () => {
  it('names an undeclared property, with its path', () => {
    const error = {
      message: 'body/records/0 must NOT have additional properties',
      validationContext: 'body',
      validation: [
        {
          keyword: 'additionalProperties',
          instancePath: '/records/0',
          params: { additionalProperty: 'partitonKey' },
        },
      ],
    };
    expect(validationMessage(error)).toBe("body/records/0 has an unknown property 'partitonKey'");
  });

  it("lists an enum's allowed values", () => {
    const error = {
      message: 'querystring/status must be equal to one of the allowed values',
      validationContext: 'querystring',
      validation: [
        { keyword: 'enum', instancePath: '/status', params: { allowedValues: ['QUEUED', 'RUNNING'] } },
      ],
    };
    expect(validationMessage(error)).toBe('querystring/status must be one of QUEUED, RUNNING');
  });

  it("keeps Fastify's message otherwise", () => {
    const error = {
      message: 'querystring/limit must be >= 1',
      validationContext: 'querystring',
      validation: [{ keyword: 'minimum', instancePath: '/limit', params: { limit: 1 } }],
    };
    expect(validationMessage(error)).toBe('querystring/limit must be >= 1');
    expect(validationMessage({ message: 'plain' })).toBe('plain');
  });
});
