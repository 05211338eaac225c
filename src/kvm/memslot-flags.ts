/** KVM memslot flags (include/uapi/linux/kvm.h). */
export const KVM_MEM_LOG_DIRTY_PAGES = 0x1;
export const KVM_MEM_READONLY = 0x2;
