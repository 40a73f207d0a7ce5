import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BRAZE_SESSION_TIMEOUTS, timeoutAlignment } from '@sessionhub/kit-braze';

const timeouts = (sessionTimeout: number) => ({ sessionTimeout, foregroundTimeout: null, maxSessionDuration: null });

describe('timeout alignment', () => {
  it('summarizes the canonical timeouts next to Braze\'s defaults', () => {
    const a = timeoutAlignment({ sessionTimeout: 60, foregroundTimeout: 300, maxSessionDuration: null }, {});
    expect(a.summary).toContain('canonical session timeout 60 s');
    expect(a.summary).toContain('foreground timeout 300 s');
    expect(a.summary).toContain('max session duration none');
    expect(a.summary).toContain('mobile 10 s, web 1800 s (web minimum 10 s)');
    expect(a.mismatch).toBeNull();
  });

  it('warns exactly when the Braze timeout in effect differs from the canonical one', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4000 }),
        fc.option(fc.integer({ min: 1, max: 4000 }), { nil: undefined }),
        fc.option(fc.constantFrom('web' as const, 'mobile' as const), { nil: undefined }),
        (canonical, declared, platform) => {
          const a = timeoutAlignment(timeouts(canonical), { sessionTimeout: declared, platform });
          if (declared === undefined && platform === undefined) {
            expect(a.mismatch).toBeNull();
            return;
          }
          const configured = declared ?? BRAZE_SESSION_TIMEOUTS[platform!];
          const effective = platform === 'web' ? Math.max(configured, BRAZE_SESSION_TIMEOUTS.webMinimum) : configured;
          if (effective === canonical) expect(a.mismatch).toBeNull();
          else {
            expect(a.mismatch).toContain(`is ${effective} s but SessionHub's session timeout is ${canonical} s`);
            expect(a.summary).toContain(`${configured} s`);
          }
        },
      ),
    );
  });

  it('uses the platform default when only the platform is declared', () => {
    expect(timeoutAlignment(timeouts(1800), { platform: 'web' }).mismatch).toBeNull();
    expect(timeoutAlignment(timeouts(10), { platform: 'mobile' }).mismatch).toBeNull();
    expect(timeoutAlignment(timeouts(60), { platform: 'mobile' }).mismatch).toMatch(/Braze's mobile default is 10 s/);
  });

  it('explains that the web SDK cannot go below 10 s', () => {
    const a = timeoutAlignment(timeouts(5), { sessionTimeout: 5, platform: 'web' });
    expect(a.summary).toContain('applied as 10 s, the web minimum');
    expect(a.mismatch).toMatch(/cannot go below 10 s: raise SessionHub's sessionTimeout to at least 10 s/);
    // Mobile SDKs take 5 s as it is.
    expect(timeoutAlignment(timeouts(5), { sessionTimeout: 5, platform: 'mobile' }).mismatch).toBeNull();
  });
});
