import { describe, expect, it } from 'vitest';
import { igluValidator } from './iglu-validator';

// The validator is what every other test trusts: prove it refuses what Snowplow's pipeline refuses.
describe('the Iglu validator used by the tests', () => {
  const v = igluValidator();
  const session = {
    userId: '0f8fad5b-d9cb-469f-a165-70867728950e',
    sessionId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
    sessionIndex: 1,
    storageMechanism: 'LOCAL_STORAGE',
  };
  const CS = 'iglu:com.snowplowanalytics.snowplow/client_session/jsonschema/1-0-2';

  it('knows the shared schemas and the fixtures', () => {
    for (const uri of [
      'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4',
      'iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0',
      'iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0',
      CS,
      'iglu:com.snowplowanalytics.snowplow/application_foreground/jsonschema/1-0-0',
      'iglu:com.snowplowanalytics.snowplow/application_background/jsonschema/1-0-0',
      'iglu:com.acme/session_end/jsonschema/1-0-0',
    ]) {
      expect(v.uris.has(uri), uri).toBe(true);
    }
  });

  it('checks schemas against the Iglu meta-schema (self block, JSON Schema)', () => {
    const schema = {
      $schema: 'http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#',
      self: { vendor: 'com.acme', name: 'x', format: 'jsonschema', version: '1-0-0' },
      type: 'object',
    };
    expect(v.schemaProblems(schema)).toEqual([]);
    expect(v.schemaProblems({ ...schema, self: { ...schema.self, version: '1.0.0' } })).not.toEqual([]);
    expect(v.schemaProblems({ $schema: schema.$schema, type: 'object' })).not.toEqual([]);
    expect(v.schemaProblems({ ...schema, type: 'thing' })).not.toEqual([]);
  });

  it('accepts a valid client_session and refuses what the pipeline refuses', () => {
    expect(v.problems(CS, session)).toEqual([]);
    expect(v.problems(CS, { ...session, userId: session.userId.toUpperCase() })).not.toEqual([]);
    expect(v.problems(CS, { ...session, sessionId: 'not-a-uuid' })).not.toEqual([]);
    expect(v.problems(CS, { ...session, previousSessionId: '' })).not.toEqual([]);
    expect(v.problems(CS, { ...session, firstEventTimestamp: '2026-01-01 00:00' })).not.toEqual([]);
    expect(v.problems(CS, { ...session, extra: 1 })).not.toEqual([]);
    expect(v.problems(CS, { ...session, storageMechanism: 'DISK' })).not.toEqual([]);
    expect(v.problems(CS, { ...session, eventIndex: -1 })).not.toEqual([]);
    expect(v.problems('iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4', [{ tv: 't', p: 'mob', e: 'ue', dtm: 1 }])).not.toEqual([]);
    expect(v.problems('iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0', [])).not.toEqual([]);
    expect(v.problems('iglu:com.example/unknown/jsonschema/1-0-0', {})).not.toEqual([]);
  });
});
