/**
 * Which architecture each architecture-specific event exists on, and what the others answer.
 * An ioctl another architecture does not have is refused by the code its generic path falls to
 * (after the fd is looked up, so the op checks it in its own order); a guest instruction or
 * hypercall of another architecture raises its CPU's no-such-instruction exception, since a KVM
 * guest runs the host's architecture. One table, read by the ops, the reducer and `vkm events`.
 */
import type { OutcomeCode } from '../model/codes.js';
import type { EventType } from './types.js';

export type Arch = 'x86' | 's390' | 'ppc64';
export const ARCHES: readonly Arch[] = ['x86', 's390', 'ppc64'];

/** What a guest CPU raises for an instruction its architecture does not have. */
export const NO_SUCH_INSTRUCTION: Readonly<Record<Arch, OutcomeCode>> = { x86: 'X86_UD', s390: 'PGM_OPERATION', ppc64: 'PPC_ILLEGAL' };

export interface ArchOnly {
  readonly on: readonly Arch[];
  /** The code elsewhere, or 'instruction' for a guest instruction (NO_SUCH_INSTRUCTION of the host). */
  readonly elsewhere: OutcomeCode | 'instruction';
  readonly source: string;
}

const S390_INSN: ArchOnly = { on: ['s390'], elsewhere: 'instruction', source: 'an s390 instruction (CLP, MPCIFC, RPCIT: Principles of Operation)' };
const PAPR_HCALL: ArchOnly = { on: ['ppc64'], elsewhere: 'instruction', source: 'a PAPR hypercall: `sc 1`, a POWER instruction' };

export const ARCH_ONLY: Readonly<Partial<Record<EventType, ArchOnly>>> = {
  'vmm.s390.zpci.plug': { on: ['s390'], elsewhere: 'ENODEV', source: 'QEMU hw/s390x/s390-pci-bus.c: a zpci device plugs into the s390-pcihost bridge, which only an s390-ccw-virtio machine has' },
  'vmm.kvm.s390.zpci_op': { on: ['s390'], elsewhere: 'ENOTTY', source: 'KVM_S390_ZPCI_OP is handled in arch/s390/kvm/kvm-s390.c kvm_arch_vm_ioctl; every other kvm_arch_vm_ioctl ends in -ENOTTY' },
  'guest.s390.clp.set_pci_fn': S390_INSN,
  'guest.s390.mpcifc': S390_INSN,
  'guest.s390.rpcit': S390_INSN,
  'guest.s390.refresh_all': S390_INSN,
  'vmm.kvm.create_spapr_tce_64': { on: ['ppc64'], elsewhere: 'ENOTTY', source: 'KVM_CREATE_SPAPR_TCE_64 is in arch/powerpc/kvm/powerpc.c kvm_arch_vm_ioctl only; elsewhere -ENOTTY' },
  'vmm.kvm.vfio.set_spapr_tce': { on: ['ppc64'], elsewhere: 'ENXIO', source: 'virt/kvm/vfio.c kvm_vfio_set_file: the case is compiled only with CONFIG_SPAPR_TCE_IOMMU; the switch falls out with -ENXIO' },
  'guest.spapr.h_put_tce': PAPR_HCALL,
  'guest.spapr.h_put_tce_indirect': PAPR_HCALL,
  'guest.spapr.h_stuff_tce': PAPR_HCALL,
  'guest.spapr.h_get_tce': PAPR_HCALL,
  'vmm.kvm.vfio.share_stage2': { on: ['x86'], elsewhere: 'ENODEV', source: 'the stage2-shared design: only an IOMMU reading the EPT format (VT-d second stage) can walk KVM\'s table' },
  'vmm.vfio.device.bind_sva': { on: ['x86'], elsewhere: 'ENODEV', source: 'iommu_sva_bind_device: the IOMMU driver offers no SVA (the model has VT-d first stage only)' },
};

/** The code an event gets on this architecture because it does not exist there, or undefined. */
export function archRefusal(arch: Arch, type: EventType): OutcomeCode | undefined {
  const only = ARCH_ONLY[type];
  if (!only || only.on.includes(arch)) return undefined;
  return only.elsewhere === 'instruction' ? NO_SUCH_INSTRUCTION[arch] : only.elsewhere;
}
