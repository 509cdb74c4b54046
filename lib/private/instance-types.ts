/** Instance families with local NVMe instance storage ('d' variants, GPU families with local disks). */
export const LOCAL_STORAGE_INSTANCE = /^ml\.([a-z]+\d+[a-z]*d[a-z]*|g5|g6|g6e|p5|p5e)\./;
