/**
 * CleverTap's revenue event, `Charged` (docs/kits/clevertap.md, "Charged"): its `Items` go as an
 * array of flat objects, each cleaned by the property rules, as the SDKs' charged calls send them
 * (Android `pushChargedEvent`, iOS `buildChargedEventWithDetails`, web `event.push('Charged', …)`).
 * Everything else goes as on any event.
 */
import { eventProperties, type CleverTapProperties, type OnDroppedProperty } from './event-properties';
import { message } from './messages';

/** Why an item of a Charged event was not sent. */
export const NOT_AN_ITEM = message(421);

/** The `evtData` of a Charged event: properties, and `Items` an array of them. */
export type CleverTapChargedData = Readonly<Record<string, CleverTapProperties[keyof CleverTapProperties] | readonly CleverTapProperties[]>>;

/**
 * The `evtData` of a Charged event. `Items`, when an array, goes as its items: each a plain object
 * (the web SDK's `isObject`) cleaned by the property rules, what is not one left out, as Android's
 * WebView bridge leaves it out (the web and iOS SDKs send no event then). However many: the SDKs
 * send all of them past 50 too, reporting error 522 only. `Items` that is no array follows the
 * property rules, as on Android's and iOS's `pushEvent('Charged', …)`.
 */
export function chargedProperties(attributes: Readonly<Record<string, unknown>>, onDropped: OnDroppedProperty): CleverTapChargedData {
  const { Items, ...others } = attributes;
  if (!Array.isArray(Items)) return eventProperties(attributes, onDropped);
  const onItem: OnDroppedProperty = (key, why) => onDropped('Items[].' + key, why);
  return {
    ...eventProperties(others, onDropped),
    Items: Items.flatMap((item: unknown) =>
      Object.prototype.toString.call(item) == '[object Object]' ? [eventProperties(item as Record<string, unknown>, onItem)] : (onDropped('Items[]', NOT_AN_ITEM), []),
    ),
  };
}
