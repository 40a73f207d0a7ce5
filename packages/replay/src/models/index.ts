import type { Platform } from '../log/log-record';
import { brazeMobileModel, brazeWebModel, type BrazeMobileClock } from './braze';
import { clevertapModel } from './clevertap';
import type { Vendor, VendorModel } from './model';
import { mparticleMobileModel, mparticleWebModel } from './mparticle';
import { snowplowMobileModel, snowplowWebModel } from './snowplow';

/** The vendors in report order. */
export const VENDORS: readonly Vendor[] = Object.freeze(['braze', 'snowplow', 'clevertap', 'mparticle']);

/** How the vendor models are chosen. */
export interface VendorModelOptions {
  /** Where Braze mobile counts its 10 s from (default `session-start`, see {@link brazeMobileModel}). */
  readonly brazeMobileClock?: BrazeMobileClock;
}

/** The model of each vendor in {@link VENDORS} order, for devices of `platform`. */
export function vendorModels(platform: Platform, options: VendorModelOptions = {}): VendorModel[] {
  return platform === 'mobile'
    ? [brazeMobileModel(options.brazeMobileClock), snowplowMobileModel(), clevertapModel('mobile'), mparticleMobileModel()]
    : [brazeWebModel(), snowplowWebModel(), clevertapModel('web'), mparticleWebModel()];
}
