import type { LogRecord } from '../log/log-record';
import { close, finished, live, open, vendorModel, type Draft, type VendorModel } from './model';

/** mParticle's iOS and Android SDKs' default session timeout, ms (60 s). */
export const MPARTICLE_MOBILE_TIMEOUT_MS = 60_000;
/** mParticle's Web SDK default session timeout, ms (30 minutes; configured in minutes). */
export const MPARTICLE_WEB_TIMEOUT_MS = 1_800_000;

/**
 * mParticle's iOS and Android SDKs: a session never idles out in the foreground; in the background
 * it ends once the timeout (60 s) has passed since the last event, dated at that event. Every line
 * is an event to it (app-state transitions included). A launch after the app was killed ends the
 * orphaned session at its last event and starts a new one. Identity changes keep the session.
 */
export function mparticleMobileModel(timeoutMs = MPARTICLE_MOBILE_TIMEOUT_MS): VendorModel {
  return vendorModel({
    id: 'mparticle-mobile',
    vendor: 'mparticle',
    platform: 'mobile',
    timeoutMs,
    summary: `${timeoutMs / 1000} s in the background since the last event, ended at it; a relaunch ends the orphaned session; users keep the session`,
    apply(d: Draft, line: LogRecord): void {
      const t = d.clock;
      if (live(d) && (line.type === 'launch' || (d.inForeground === false && t - d.last >= timeoutMs))) close(d, d.last, d.last - d.start);
      if (line.type === 'background') {
        d.inForeground = false;
        if (live(d)) d.last = t;
        return;
      }
      if (line.type !== 'event') d.inForeground = true;
      if (!live(d)) open(d, t);
      d.last = t;
    },
    finish: (s) => finished(s, s.last, s.last - s.start),
  });
}

/**
 * mParticle's Web SDK: a session ends once the timeout (30 minutes) has passed since the last event,
 * dated at that event; a page load resumes a stored session that has not timed out. It does not
 * watch page visibility. Identity changes keep the session.
 */
export function mparticleWebModel(timeoutMs = MPARTICLE_WEB_TIMEOUT_MS): VendorModel {
  return vendorModel({
    id: 'mparticle-web',
    vendor: 'mparticle',
    platform: 'web',
    timeoutMs,
    summary: `${timeoutMs / 60_000} min since the last event, ended at it; users keep the session`,
    apply(d: Draft, line: LogRecord): void {
      const t = d.clock;
      if (line.type === 'foreground' || line.type === 'background') return;
      if (live(d) && t - d.last >= timeoutMs) close(d, d.last, d.last - d.start);
      if (!live(d)) open(d, t);
      d.last = t;
    },
    finish: (s) => finished(s, s.last, s.last - s.start),
  });
}
