/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The fix for each host problem, written once: host detection's reasons,
 * the planner's ways out, the host checks (ppcvm host --check) and the
 * explanations of qemu's errors all print these. */
#pragma once

/* /dev/kvm exists but this user cannot open it. */
#define PPCVM_FIX_KVM_GROUP "sudo usermod -aG kvm $USER, then log in again"
/* The package with ppc64_cpu. */
#define PPCVM_PACKAGE_PPC64_CPU "powerpc-ibm-utils (Debian, Ubuntu; powerpc-utils on Fedora, RHEL, SUSE)"
/* KVM-HV on POWER7/8 with the secondary threads online (rule HV-SMT). */
#define PPCVM_FIX_SMT_OFF \
  "sudo ppc64_cpu --smt=off (" PPCVM_PACKAGE_PPC64_CPU "; it takes the secondary threads of the whole host offline)"
/* The KVM modules (rules HV-LOAD, PR-HASH). */
#define PPCVM_FIX_LOAD_KVM_HV "sudo modprobe kvm_hv"
#define PPCVM_FIX_LOAD_KVM_PR "sudo modprobe kvm_pr"
/* kvm_hv's nested parameter (rule NESTED-HV): now, and across reboots. */
#define PPCVM_FIX_NESTED_ON "sudo modprobe -r kvm_hv && sudo modprobe kvm_hv nested=1"
#define PPCVM_FIX_NESTED_KEEP "echo 'options kvm_hv nested=1' | sudo tee /etc/modprobe.d/kvm-hv.conf"
/* No qemu-system-ppc64, or one without KVM. */
#define PPCVM_FIX_INSTALL_QEMU "sudo apt-get install qemu-system-ppc"
/* qemu's firmware (slof.bin, vof.bin) ships apart from the binary (rule FW-FILE). */
#define PPCVM_FIX_INSTALL_FIRMWARE "sudo apt-get install qemu-system-data"
