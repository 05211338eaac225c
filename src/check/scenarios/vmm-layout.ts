/** Where the x86 and POWER scenarios' VMM maps guest RAM (a typical QEMU address). */
export const VMM_HVA = 0x7f00_0000_0000n;
