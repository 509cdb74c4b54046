/**
 * The two production variants of every endpoint. Their names are fixed, so guard alarms are ordinary alarms with a
 * `VariantName` dimension; the candidate always goes into the slot that is not stable.
 */
export enum Slot {
  BLUE = 'blue',
  GREEN = 'green',
}
