import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleverTapGuid, identityGuid, signIn } from '../src/device-guid';
import { emptyLedger, MAX_IDENTITIES } from '../src/session-ledger';

describe('identityGuid', () => {
  it('has CleverTap\'s guid format, is the same for the same device and identity, and differs otherwise', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), fc.string(), fc.string(), (d1, d2, a, b) => {
        const g = identityGuid(cleverTapGuid(d1), a);
        expect(g).toMatch(/^__[0-9a-f]{32}$/);
        expect(identityGuid(cleverTapGuid(d1), a)).toBe(g);
        if (a !== b) expect(identityGuid(cleverTapGuid(d1), b)).not.toBe(g);
        if (d1 !== d2) expect(identityGuid(cleverTapGuid(d2), a)).not.toBe(g);
      }),
    );
  });

  it('gives the guids earlier versions gave: a returning identity keeps its CleverTap profile', () => {
    expect(identityGuid('__0f8fad5bd9cb469fa16570867728950e', 'user-42')).toBe('__a252ce91bee5a969331840df94f21175');
    expect(identityGuid('__0f8fad5bd9cb469fa16570867728950e', 'Zoë 🙂')).toBe('__29a7c9c314ab44d84ee429023e17a385');
    expect(identityGuid('', '')).toBe('__f84447f112e0c8b78f0d49e6f12345f9');
  });
});

describe('signIn (CleverTap onUserLogin)', () => {
  it('keeps the first identity on an anonymous device on its guid, gives every other its own, and restores each when it returns', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 1, maxLength: 30 }), (deviceId, logins) => {
        const device = cleverTapGuid(deviceId);
        const ledger = { ...emptyLedger(), g: device };
        const seen = new Map<string, string>();
        for (const identity of logins) {
          const guid = signIn(ledger, device, identity);
          expect(ledger.g).toBe(guid);
          if (seen.size === 0) expect(guid).toBe(device);
          else if (seen.has(identity)) expect(guid).toBe(seen.get(identity));
          else expect([...seen.values()]).not.toContain(guid);
          seen.set(identity, guid);
        }
      }),
    );
  });

  it('remembers at most MAX_IDENTITIES, the latest last; one forgotten gets the same guid again', () => {
    const device = cleverTapGuid('0b1e2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d');
    const ledger = { ...emptyLedger(), g: device };
    const names = Array.from({ length: MAX_IDENTITIES + 3 }, (_, i) => `u${i}`);
    const guids = names.map((n) => signIn(ledger, device, n));
    expect(ledger.ids).toHaveLength(MAX_IDENTITIES);
    expect(ledger.ids.at(-1)![0]).toBe(names.at(-1));
    expect(signIn(ledger, device, 'u2')).toBe(guids[2]);
    // The first person has the device's own guid, which no function gives again: never forgotten.
    expect(guids[0]).toBe(device);
    expect(ledger.ids.map(([name]) => name)).toContain('u0');
  });

  it('property: a person coming back gets the guid they had on this device, whoever signed in meanwhile', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 200 }), (people) => {
        const device = cleverTapGuid('0b1e2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d');
        const ledger = { ...emptyLedger(), g: device };
        const first = new Map<number, string>();
        for (const person of people) {
          const guid = signIn(ledger, device, `person-${person}`);
          expect(guid).toBe(first.get(person) ?? guid);
          first.set(person, guid);
          expect(ledger.ids.length).toBeLessThanOrEqual(MAX_IDENTITIES);
        }
      }),
    );
  });
});
