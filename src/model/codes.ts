/**
 * Every outcome code the model can return, with where it comes from. Tests check that no other
 * code ever appears; `vkm events` users can look codes up here.
 */
export const OUTCOME_CODES = {
  OK: 'success',
  // errno values (include/uapi/asm-generic/errno-base.h, errno.h)
  EPERM: 'operation not permitted', ENOENT: 'no such entry', ESRCH: 'no such process', EIO: 'I/O error',
  EBADF: 'bad file descriptor', ENOMEM: 'out of memory / over RLIMIT_MEMLOCK', EFAULT: 'bad address',
  EBUSY: 'busy', EEXIST: 'exists', ENODEV: 'no such device', EINVAL: 'invalid argument', ENOSPC: 'no space (dma_avail)',
  ENXIO: 'no such device or address (no DMA window there)', ENOTTY: 'inappropriate ioctl (for this IOMMU type, or on this architecture)',
  EOVERFLOW: 'value too large (a range that wraps past 2^64, kernels since the 2025 overflow series)',
  // IOMMU faults seen by a device's DMA
  IOMMU_FAULT_NOT_PRESENT: 'no translation', IOMMU_FAULT_WRITE: 'write to a read-only translation',
  IOMMU_FAULT_READ: 'read of a write-only translation', IOMMU_FAULT_BLOCKED: 'group attached to a blocking domain',
  // s390 zPCI instruction results: condition codes (status in the outcome value) and program exceptions
  CC0: 'condition code 0', CC1: 'condition code 1; the status is the outcome value, written in hex in logs (status 16 is "0x10", 40 is "0x28")', CC2: 'condition code 2 (busy)', CC3: 'condition code 3 (invalid handle)',
  PGM_SPECIFICATION: 'specification exception', PGM_OPERAND: 'operand exception', PGM_ADDRESSING: 'addressing exception',
  // a guest instruction its CPU does not have (a KVM guest runs the host's architecture)
  PGM_OPERATION: 's390 operation exception (program interruption code 0x0001): no such instruction',
  X86_UD: 'x86 invalid-opcode exception (#UD): no such instruction',
  PPC_ILLEGAL: 'POWER program interrupt, illegal instruction: no such instruction',
  // CLP response codes (arch/s390/include/asm/clp.h)
  // PAPR hypercall return codes (arch/powerpc/include/asm/hvcall.h); H_TOO_HARD never reaches a guest
  H_SUCCESS: 'hcall 0', H_HARDWARE: 'hcall -1', H_PARAMETER: 'hcall -4',
  // the model's own answer, never the kernel's: a create naming an object that still exists. A log
  // line doing this is an input error (vkm replay says so); only a scenario can meet it.
  ID_IN_USE: 'model only: the id names an object that still exists; a new object needs a new id',
  OVER_LIMIT: 'model only: the event asks to touch more pages than the run allows (--limit pages-per-event=N), or could take the frames in use past the run\'s limit (--limit frames=N)',
  CLP_RC_OK: 'CLP 0x0010', CLP_RC_SETPCIFN_FH: 'CLP 0x0101 invalid handle', CLP_RC_SETPCIFN_FHOP: 'CLP 0x0102 handle not valid for op',
} as const;

export type OutcomeCode = keyof typeof OUTCOME_CODES;

/** The codes that mean the call did what was asked (ioctl, instruction, hypercall, CLP). */
export const SUCCESS_CODES: ReadonlySet<string> = new Set(['OK', 'CC0', 'H_SUCCESS', 'CLP_RC_OK']);

/**
 * The model's own answers, never a kernel's: a create naming a live id, an event over the run's
 * work bound. No refusal row lists them; a log line that meets one is an input error (vkm replay).
 */
export const MODEL_ONLY_CODES: ReadonlySet<string> = new Set(['ID_IN_USE', 'OVER_LIMIT']);

export function isOutcomeCode(code: string): code is OutcomeCode {
  return Object.prototype.hasOwnProperty.call(OUTCOME_CODES, code);
}
