/**
 * The fields CleverTap's Android SDK sends in an `/a1` upload, written from its source
 * (CleverTap/clevertap-android-sdk at 7129b12566b925b4945c65a538f1ae58a5eadbf8), file and line.
 */
const EQM = 'clevertap-core/src/main/java/com/clevertap/android/sdk/events/EventQueueManager.kt';
const QHB = 'clevertap-core/src/main/java/com/clevertap/android/sdk/network/QueueHeaderBuilder.kt';

/** Fields of every queued item (`processEvent`). */
export const ANDROID_ITEM_FIELDS: ReadonlyArray<readonly [field: string, where: string]> = [
  ['n', `${EQM}:254`],
  ['s', `${EQM}:258`],
  ['pg', `${EQM}:259`],
  ['type', `${EQM}:260`],
  ['ep', `${EQM}:261`],
  ['f', `${EQM}:262`],
  ['lsl', `${EQM}:263`],
];

/** Fields of the header, element 0 of the upload (`buildHeader`). */
export const ANDROID_HEADER_FIELDS: ReadonlyArray<readonly [field: string, where: string]> = [
  ['d_src', `${QHB}:65`],
  ['g', `${QHB}:72`],
  ['type', `${QHB}:79`],
  ['af', `${QHB}:87`],
  ['_i', `${QHB}:93`],
  ['_j', `${QHB}:97`],
  ['id', `${QHB}:105`],
  ['tk', `${QHB}:106`],
  ['l_ts', `${QHB}:107`],
  ['f_ts', `${QHB}:108`],
  ['ct_pi', `${QHB}:113`],
  ['ddnd', `${QHB}:117`],
  ['bk', `${QHB}:123`],
  ['rtl', `${QHB}:129`],
  ['rct', `${QHB}:134`],
  ['ait', `${QHB}:135`],
  ['frs', `${QHB}:140`],
  ['fl', `${QHB}:145`],
  ['debug', `${QHB}:150`],
  ['arp', `${QHB}:158`],
  ['ref', `${QHB}:174`],
  ['wzrk_ref', `${QHB}:184`],
  ['imp', `${QHB}:191`],
  ['tlc', `${QHB}:192`],
];
