/** Every key the bench's JSON document always carries (null when its scenario was not run). */
export const REQUIRED_KEYS = [
  'batchedSamplesPerSec', 'batchedVsCopyRatio', 'singleMsgsPerSec', 'singleVsBareAedesRatio',
  'p99PublishToStoredMs', 'p99PublishToWsMs', 'p99PublishToAlarmMs', 'bytesPerConnection', 'p99DayCurveMs', 'p99ClassDayCurveMs',
] as const;
