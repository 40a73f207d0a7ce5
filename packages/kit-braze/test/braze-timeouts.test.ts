import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { timeoutAlignment } from '../src/braze-timeouts';

/** Braze's own SDKs (docs/kits/braze.md): mobile 10 s, web 1800 s, web minimum 10 s. */
const BRAZE = { mobile: 10, web: 1800, webMinimum: 10 };

const timeouts = (sessionTimeout: number) => ({ sessionTimeout, foregroundTimeout: null, maxSessionDuration: null });

describe('timeout alignment', () => {
  it('summarizes the canonical timeouts next to Braze\'s defaults', () => {
    const a = timeoutAlignment({ sessionTimeout: 60, foregroundTimeout: 300, maxSessionDuration: null }, {});
    expect(a.summary).toBe("canonical session timeout 60 s; Braze SDK defaults: mobile 10 s, web 1800 s (web minimum 10 s)");
    expect(a.mismatch).toBeNull();
  });

  it('warns exactly when the Braze timeout in effect differs from the canonical one', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4000 }),
        fc.option(fc.integer({ min: 1, max: 4000 }), { nil: undefined }),
        fc.option(fc.constantFrom('web' as const, 'mobile' as const), { nil: undefined }),
        (canonical, declared, platform) => {
          const a = timeoutAlignment(timeouts(canonical), { brazeSessionTimeout: declared, brazePlatform: platform });
          if (declared === undefined && platform === undefined) {
            expect(a.mismatch).toBeNull();
            return;
          }
          const configured = declared ?? BRAZE[platform!];
          const effective = platform === 'web' ? Math.max(configured, BRAZE.webMinimum) : configured;
          if (effective === canonical) expect(a.mismatch).toBeNull();
          else {
            expect(a.mismatch).toContain(`is ${effective} s, SessionHub's session timeout ${canonical} s`);
            expect(a.summary).toContain(`: ${effective} s`);
          }
        },
      ),
    );
  });

  it('uses the platform default when only the platform is declared', () => {
    expect(timeoutAlignment(timeouts(1800), { brazePlatform: 'web' }).mismatch).toBeNull();
    expect(timeoutAlignment(timeouts(10), { brazePlatform: 'mobile' }).mismatch).toBeNull();
    expect(timeoutAlignment(timeouts(60), { brazePlatform: 'mobile' }).mismatch).toMatch(/Braze's mobile default is 10 s/);
  });

  it('explains that the web SDK cannot go below 10 s', () => {
    const a = timeoutAlignment(timeouts(5), { brazeSessionTimeout: 5, brazePlatform: 'web' });
    expect(a.summary).toMatch(/your Braze session timeout: 10 s \(5 s raised to the web minimum\)$/);
    expect(a.mismatch).toMatch(/raise SessionHub's sessionTimeout to 10 s, the web minimum$/);
    // Mobile SDKs take 5 s as it is.
    expect(timeoutAlignment(timeouts(5), { brazeSessionTimeout: 5, brazePlatform: 'mobile' }).mismatch).toBeNull();
  });
});
