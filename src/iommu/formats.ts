/** The host IOMMU table formats by name; a domain names its format and shared code asks this registry. */
import type { TableFormat } from './format.js';
import { S390_HOST_FORMAT } from './s390/host-table.js';
import { VTD_FORMAT } from './vtd/table.js';

export const FORMATS: Record<TableFormat['name'], TableFormat> = { vtd: VTD_FORMAT, s390: S390_HOST_FORMAT };

/** The table format of the host's IOMMU for a type1 domain (POWER hosts offer no type1, see vfio/container.ts). */
export function hostFormat(arch: 'x86' | 's390' | 'ppc64'): TableFormat {
  return arch === 's390' ? S390_HOST_FORMAT : VTD_FORMAT;
}
