#!/usr/bin/env python3
"""Writes the cost-comparison logs: one setup per design, then the same workload (see README.md)."""
import json, os

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = "00112233445566778899aabbccddeeff"


def write(name, setup, workload):
    with open(os.path.join(HERE, name + ".jsonl"), "w") as f:
        for d in setup:
            f.write(json.dumps(d) + "\n")
        workload[0]["phase"] = "workload"
        for d in workload:
            f.write(json.dumps(d) + "\n")


def ev(t, **kw):
    d = {"type": t}
    d.update(kw)
    return d


# s390 zPCI: 16 MiB of guest RAM; guest tables map IOVA 4 GiB + 0..15 pages; the buffer is guest pages 0x200-0x201.
S390_HVA = "0x3ff00000000"
FH = 0x80000001
PTES_INVALID = "0000000000000400" * 16


def s390_setup(design, iommu):
    return [
        ev("host.boot", arch="s390"),
        ev("host.process.spawn", mm="qemu", memlock="0x4000000"),
        ev("host.pci.device.add", device="zpci0", group="g1"),
        ev("vmm.mmap", mm="qemu", hva=S390_HVA, size="0x1000000"),
        ev("vmm.kvm.create_vm", vm="vm0", mm="qemu"),
        ev("vmm.kvm.set_user_memory_region", vm="vm0", slot=0, gpa="0x0", size="0x1000000", hva=S390_HVA),
        ev("vmm.kvm.create_device", vm="vm0", dev="kvfio"),
        ev("vmm.vfio.container.open", container="c0", mm="qemu"),
        ev("vmm.vfio.group.open", group="g1", mm="qemu"),
        ev("vmm.vfio.group.set_container", group="g1", container="c0"),
        ev("vmm.vfio.set_iommu", container="c0", iommu=iommu),
        ev("vmm.kvm.vfio.file_add", dev="kvfio", group="g1"),
        ev("vmm.vfio.group.get_device_fd", group="g1", device="zpci0", fd="zfd"),
        ev("vmm.s390.zpci.plug", vm="vm0", device="zpci0", fh=1, design=design),
        ev("guest.s390.clp.set_pci_fn", vm="vm0", fh=1, op="enable"),
        ev("guest.mem.write", vm="vm0", gpa="0x10010", data="0000000000014007", comment="RTE[2] -> STO 0x14000"),
        ev("guest.mem.write", vm="vm0", gpa="0x14000", data="0000000000018000", comment="STE[0] -> page table 0x18000"),
        ev("guest.mem.write", vm="vm0", gpa="0x18000", data=PTES_INVALID, comment="PTE[0..15] invalid"),
        ev("guest.mem.write", vm="vm0", gpa="0x1000", data="000000000000000000000000000000000000000100000000000000010000ffff000000000001080400000000000000000000000000000000000000000000000000000000000000000000000000000000", comment="FIB: pba 4 GiB, 64 KiB"),
        ev("guest.s390.mpcifc", vm="vm0", fh=FH, fc="reg_ioat", fib="0x1000", expect="CC0"),
    ]


def s390_workload(unmapped_fault):
    return [
        ev("guest.mem.write", vm="vm0", gpa="0x18000", data="00000000002000000000000000201000", comment="map: PTE[0], PTE[1] -> the buffer"),
        ev("guest.s390.rpcit", vm="vm0", fh=FH, iova="0x100000000", len="0x2000", expect="CC0"),
        ev("device.dma.write", device="zpci0", iova="0x100000ff8", data=DATA),
        ev("guest.mem.read", vm="vm0", gpa="0x200ff8", len=16, expect={"code": "OK", "data": DATA}),
        ev("guest.mem.write", vm="vm0", gpa="0x18000", data="00000000000004000000000000000400", comment="unmap: PTE[0], PTE[1] invalid"),
        ev("guest.s390.rpcit", vm="vm0", fh=FH, iova="0x100000000", len="0x2000", expect="CC0"),
        ev("device.dma.write", device="zpci0", iova="0x100000ff8", data=DATA, expect=unmapped_fault),
    ]


write("s390-userspace", s390_setup("userspace", 3), s390_workload("IOMMU_FAULT_NOT_PRESENT"))
write("s390-kvm-shadow", s390_setup("kvm-shadow", 11), s390_workload("IOMMU_FAULT_NOT_PRESENT"))

# sPAPR: 64 KiB of guest RAM, preregistered; the buffer is guest pages 3-4, mapped at IOBA 0x5000.
P_HVA = "0x7f0000000000"
LIOBN = "0x80000000"


def spapr_setup():
    out = [
        ev("host.boot", arch="ppc64", variant="liobn-to-container"),
        ev("host.process.spawn", mm="qemu", memlock="0x40000000"),
        ev("host.pci.device.add", device="a0", group="gA"),
        ev("vmm.mmap", mm="qemu", hva=P_HVA, size="0x10000"),
        ev("vmm.kvm.create_vm", vm="vm0", mm="qemu"),
        ev("vmm.kvm.set_user_memory_region", vm="vm0", slot=0, gpa="0x0", size="0x10000", hva=P_HVA),
        ev("vmm.vfio.container.open", container="c0", mm="qemu"),
        ev("vmm.vfio.group.open", group="gA", mm="qemu"),
        ev("vmm.vfio.group.set_container", group="gA", container="c0"),
        ev("vmm.vfio.set_iommu", container="c0", iommu=7),
        ev("vmm.vfio.group.get_device_fd", group="gA", device="a0", fd="fa"),
        ev("vmm.vfio.spapr.register_memory", container="c0", vaddr=P_HVA, size="0x10000", comment="QEMU preregisters (pins) all guest RAM"),
        ev("vmm.vfio.dma.unmap", container="c0", iova="0x0", size="0x1000", comment="creates the default window"),
        ev("vmm.kvm.create_device", vm="vm0", dev="kv"),
        ev("vmm.kvm.vfio.file_add", dev="kv", group="gA"),
        ev("vmm.kvm.create_spapr_tce_64", vm="vm0", table="t32", liobn=LIOBN, pageShift=12, offset="0x0", size="0x40000"),
        ev("vmm.kvm.vfio.set_spapr_tce", dev="kv", group="gA", table="t32", comment="KVM writes the hardware table itself"),
    ]
    return out


spapr_workload = [
    ev("guest.spapr.h_put_tce", vm="vm0", liobn=LIOBN, ioba="0x5000", tce="0x3003", expect="H_SUCCESS", comment="map the buffer's first page"),
    ev("guest.spapr.h_put_tce", vm="vm0", liobn=LIOBN, ioba="0x6000", tce="0x4003", expect="H_SUCCESS", comment="and its second"),
    ev("device.dma.write", device="a0", iova="0x5ff8", data=DATA),
    ev("guest.mem.read", vm="vm0", gpa="0x3ff8", len=16, expect={"code": "OK", "data": DATA}),
    ev("guest.spapr.h_stuff_tce", vm="vm0", liobn=LIOBN, ioba="0x5000", tceValue="0x0", npages="0x2", expect="H_SUCCESS", comment="unmap both"),
    ev("device.dma.write", device="a0", iova="0x5ff8", data=DATA, expect="IOMMU_FAULT_NOT_PRESENT"),
]
write("spapr-kvm-accelerated", spapr_setup(), spapr_workload)

# x86: 2 MiB of guest RAM; the buffer is guest pages 3-4.
X_HVA = 0x7F0000000000


def x86_setup(extra):
    return [
        ev("host.boot", arch="x86"),
        ev("host.process.spawn", mm="qemu", memlock="0x4000000"),
        ev("host.pci.device.add", device="nic0", group="g7"),
        ev("vmm.mmap", mm="qemu", hva=hex(X_HVA), size="0x200000"),
        ev("vmm.kvm.create_vm", vm="vm0", mm="qemu"),
        ev("vmm.kvm.set_user_memory_region", vm="vm0", slot=0, gpa="0x0", size="0x200000", hva=hex(X_HVA)),
        ev("vmm.vfio.container.open", container="c0", mm="qemu"),
        ev("vmm.vfio.group.open", group="g7", mm="qemu"),
        ev("vmm.vfio.group.set_container", group="g7", container="c0"),
        ev("vmm.vfio.set_iommu", container="c0", iommu=3),
        ev("vmm.kvm.create_device", vm="vm0", dev="kvfio"),
        ev("vmm.kvm.vfio.file_add", dev="kvfio", group="g7"),
        ev("vmm.vfio.group.get_device_fd", group="g7", device="nic0", fd="nicfd"),
    ] + extra


def x86_workload(iova, note):
    return [
        ev("device.dma.write", device="nic0", iova=hex(iova + 0x3FF8), data=DATA, comment="map: nothing to do (" + note + ")"),
        ev("guest.mem.read", vm="vm0", gpa="0x3ff8", len=16, expect={"code": "OK", "data": DATA}),
        ev("device.dma.write", device="nic0", iova=hex(iova + 0x3FF8), data=DATA, comment="unmap: nothing to do, so the buffer stays reachable"),
    ]


write("x86-type1-static", x86_setup([ev("vmm.vfio.dma.map", container="c0", vaddr=hex(X_HVA), iova="0x0", size="0x200000", comment="QEMU without a vIOMMU maps (pins) all guest RAM once")]), x86_workload(0, "all guest RAM is mapped at boot"))
write("x86-stage2-shared", x86_setup([ev("vmm.kvm.vfio.share_stage2", dev="kvfio", group="g7", comment="the IOMMU walks KVM's table; KVM pins all guest RAM")]), x86_workload(0, "the IOMMU walks KVM's table"))
write("x86-sva-pri", x86_setup([ev("vmm.vfio.device.bind_sva", fd="nicfd", comment="device addresses are the VMM's virtual addresses; nothing pinned")]), x86_workload(X_HVA, "the device uses the VMM's page table"))
