/** Condition codes and status codes of the zPCI instructions (kernel-facts §2.1), as outcomes. */
import type { Outcome } from '../model/outcome.js';

export const CC_OK = 'CC0';
export const CC_ERR = 'CC1';
export const CC_BUSY = 'CC2';
export const CC_INVAL_HANDLE = 'CC3';

/** ZPCI_PCI_ST_* and ZPCI_MOD_ST_* / ZPCI_RPCIT_ST_* status codes. */
export const ST = {
  FUNC_NOT_ENABLED: 4,
  FUNC_IN_ERR: 8,
  INSUF_RES: 16,
  MOD_SEQUENCE: 24,
  MOD_DMAAS_INVAL: 28,
  MOD_ERROR_RECOVER: 40,
} as const;

/** cc 1 with a status code in bits 24..31 of R1: the outcome carries the status as its value. */
export function ccErr(status: number): Outcome {
  return { code: CC_ERR, value: BigInt(status) };
}

export const ccOk: Outcome = { code: CC_OK };
export const ccInvalHandle: Outcome = { code: CC_INVAL_HANDLE };
