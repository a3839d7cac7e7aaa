# fish completion for ppcvm(1)
# SPDX-License-Identifier: GPL-2.0-or-later
# Profile names come from `ppcvm profiles --names`, running guests from
# `ppcvm list --names`, both asked at completion time.

function __ppcvm_profiles
    ppcvm profiles --names 2>/dev/null
end

function __ppcvm_oses
    ppcvm os --names 2>/dev/null
end

function __ppcvm_guests
    ppcvm list --names 2>/dev/null
end

set -l __ppcvm_cmds host plan run list stop console ssh snapshot rm profiles new matrix hugepages desktop-entry import export get os help

complete -c ppcvm -f
complete -c ppcvm -n "not __fish_seen_subcommand_from $__ppcvm_cmds" -l help -s h -d 'Show the commands'
complete -c ppcvm -n "not __fish_seen_subcommand_from $__ppcvm_cmds" -l version -d 'Show the version'

complete -c ppcvm -n "not __fish_seen_subcommand_from $__ppcvm_cmds" -a host -d 'Show what this host is and what it can run'
complete -c ppcvm -n "not __fish_seen_subcommand_from $__ppcvm_cmds" -a plan -d 'Plan a guest: its qemu command line, or why it cannot run'
complete -c ppcvm -n "not __fish_seen_subcommand_from $__ppcvm_cmds" -a run -d 'Plan a guest, check everything, and run qemu'
complete -c ppcvm -n "not __fish_seen_subcommand_from $__ppcvm_cmds" -a list -d 'List the running detached guests'
complete -c ppcvm -n "not __fish_seen_subcommand_from $__ppcvm_cmds" -a stop -d 'Power a detached guest off'
complete -c ppcvm -n "not __fish_seen_subcommand_from $__ppcvm_cmds" -a console -d "Attach to a detached guest's serial console"
complete -c ppcvm -n "not __fish_seen_subcommand_from $__ppcvm_cmds" -a ssh -d "Log in to a detached guest over SSH"
complete -c ppcvm -n "not __fish_seen_subcommand_from $__ppcvm_cmds" -a snapshot -d "Snapshots of a guest's qcow2 disks"
complete -c ppcvm -n "not __fish_seen_subcommand_from $__ppcvm_cmds" -a rm -d "Delete a stopped guest's profile (and its disks)"
complete -c ppcvm -n "__fish_seen_subcommand_from snapshot rm" -a '(__ppcvm_profiles)' -d Profile
complete -c ppcvm -n "__fish_seen_subcommand_from snapshot" -a 'create list revert delete' -d Operation
complete -c ppcvm -n "__fish_seen_subcommand_from rm" -l disks -d 'Also delete the disks ppcvm new created'
complete -c ppcvm -n "__fish_seen_subcommand_from rm" -s y -l yes -d 'Do not ask'

complete -c ppcvm -n "not __fish_seen_subcommand_from $__ppcvm_cmds" -a profiles -d 'List the installed profiles'
complete -c ppcvm -n "not __fish_seen_subcommand_from $__ppcvm_cmds" -a new -d 'Copy a profile into your profile directory'
complete -c ppcvm -n "not __fish_seen_subcommand_from $__ppcvm_cmds" -a matrix -d 'What this host can run, per guest kind'
complete -c ppcvm -n "not __fish_seen_subcommand_from $__ppcvm_cmds" -a hugepages -d 'The hugepages a guest needs, and how to reserve them'
complete -c ppcvm -n "not __fish_seen_subcommand_from $__ppcvm_cmds" -a desktop-entry -d 'Write a .desktop launcher for a profile'
complete -c ppcvm -n "not __fish_seen_subcommand_from $__ppcvm_cmds" -a import -d 'Make a profile from a libvirt domain XML or a qemu command line (after --)'
complete -c ppcvm -n "not __fish_seen_subcommand_from $__ppcvm_cmds" -a export -d 'Print a profile as libvirt domain XML'
complete -c ppcvm -n "not __fish_seen_subcommand_from $__ppcvm_cmds" -a get -d "Download an OS's ISO or cloud image, verified"
complete -c ppcvm -n "not __fish_seen_subcommand_from $__ppcvm_cmds" -a os -d 'The catalogue of POWER operating systems'
complete -c ppcvm -n "not __fish_seen_subcommand_from $__ppcvm_cmds" -a help -d 'Show the commands'

# Host selection: host, plan, run, matrix, hugepages, export.
set -l __ppcvm_hostcmds host plan run matrix hugepages export
complete -c ppcvm -n "__fish_seen_subcommand_from $__ppcvm_hostcmds" -l host -rF -d 'Host facts from a ppcvm host --json file'
complete -c ppcvm -n "__fish_seen_subcommand_from $__ppcvm_hostcmds" -l sysroot -xa '(__fish_complete_directories)' -d "Read the host's /proc, /sys, /dev under DIR"
complete -c ppcvm -n "__fish_seen_subcommand_from $__ppcvm_hostcmds" -l qemu -rF -d 'The qemu-system-ppc64 binary'
complete -c ppcvm -n "__fish_seen_subcommand_from host plan run matrix list profiles" -l json -d 'Print JSON'
complete -c ppcvm -n "__fish_seen_subcommand_from host" -l check -d 'Check every prerequisite (PASS/WARN/FAIL with the fix)'
complete -c ppcvm -n "__fish_seen_subcommand_from host" -l fix -d 'With --check: apply the safe fixes (root), then check again'
complete -c ppcvm -n "__fish_seen_subcommand_from host" -l mount-point -xa '(__fish_complete_directories)' -d 'With --fix: the hugetlbfs mount to create'

# A guest profile: plan, run, matrix, hugepages, desktop-entry, export.
set -l __ppcvm_profcmds plan run hugepages desktop-entry export
complete -c ppcvm -n "__fish_seen_subcommand_from $__ppcvm_profcmds" -a '(__ppcvm_profiles)' -d Profile
complete -c ppcvm -n "__fish_seen_subcommand_from plan run hugepages export" -s s -l set -x -a 'guest.name= guest.mmu= guest.page-size= guest.cpu= guest.memory= guest.smp= guest.nested= guest.accel= guest.machine= guest.display= guest.vnc= guest.vnc-password-file= guest.mem-path= guest.compat= boot.kernel= boot.initrd= boot.append= boot.firmware= boot.bios= boot.cdrom= network.mode= network.forward= network.ifname= network.model= qemu.args= qemu.binary=' -d 'Override a profile key'
complete -c ppcvm -n "__fish_seen_subcommand_from plan run hugepages export" -l accel -xa 'auto kvm hv pr tcg' -d 'Accelerator'
complete -c ppcvm -n "__fish_seen_subcommand_from plan run" -l explain -d 'Print every decision with its reason'
complete -c ppcvm -n "__fish_seen_subcommand_from plan run" -l install -d 'Boot the cdrom first, the disk second'
complete -c ppcvm -n "__fish_seen_subcommand_from plan run" -s f -l force -d 'Even with more memory than the host has'

# run
complete -c ppcvm -n "__fish_seen_subcommand_from run" -s n -l dry-run -d 'Print the command instead of running it'
complete -c ppcvm -n "__fish_seen_subcommand_from run" -s d -l detach -d 'Run in the background (list, console, stop)'
complete -c ppcvm -n "__fish_seen_subcommand_from run" -l name -x -d "The detached guest's name"
complete -c ppcvm -n "__fish_seen_subcommand_from run" -l exec -d 'Replace ppcvm with qemu'
complete -c ppcvm -n "__fish_seen_subcommand_from run" -l powerdown-timeout -x -d 'Seconds the guest gets to power down after a signal'

# list, stop, console
complete -c ppcvm -n "__fish_seen_subcommand_from list profiles" -l names -d 'Only the names, one per line'
complete -c ppcvm -n "__fish_seen_subcommand_from stop console ssh" -a '(__ppcvm_guests)' -d Guest
complete -c ppcvm -n "__fish_seen_subcommand_from ssh" -s t -l timeout -x -d 'Seconds to wait for sshd'

complete -c ppcvm -n "__fish_seen_subcommand_from stop" -s t -l timeout -x -d 'Seconds to wait for the powerdown'
complete -c ppcvm -n "__fish_seen_subcommand_from stop" -s f -l force -d 'Cut the power: QMP quit, then SIGKILL'

# new
complete -c ppcvm -n "__fish_seen_subcommand_from new" -l from -xa '(__ppcvm_profiles)' -d 'The profile to copy'
complete -c ppcvm -n "__fish_seen_subcommand_from new" -s f -l force -d 'Overwrite an existing profile (and disk)'
complete -c ppcvm -n "__fish_seen_subcommand_from new" -l disk-size -x -d 'Create a qcow2 disk of SIZE (e.g. 20G)'
complete -c ppcvm -n "__fish_seen_subcommand_from new" -l iso -rF -d 'Install media for the cdrom'
complete -c ppcvm -n "__fish_seen_subcommand_from new" -l image -rF -d 'A qcow2 overlay on this image'
complete -c ppcvm -n "__fish_seen_subcommand_from desktop-entry" -l install -d 'Write it to $XDG_DATA_HOME/applications'

# hugepages
complete -c ppcvm -n "__fish_seen_subcommand_from hugepages" -l apply -d 'Do the runtime steps here (root)'
complete -c ppcvm -n "__fish_seen_subcommand_from hugepages" -l mount-point -xa '(__fish_complete_directories)' -d 'The hugetlbfs mount to create'

# export, import
complete -c ppcvm -n "__fish_seen_subcommand_from export" -l libvirt -d 'libvirt domain XML'
complete -c ppcvm -n "__fish_seen_subcommand_from export" -l libvirt-version -x -d 'The libvirt that will run the guest (X.Y)'
complete -c ppcvm -n "__fish_seen_subcommand_from export" -s c -l connect -x -d 'Define the domain on this libvirt URI'
complete -c ppcvm -n "__fish_seen_subcommand_from import" -F -d 'libvirt domain XML'
complete -c ppcvm -n "__fish_seen_subcommand_from import" -s o -l output -rF -d 'Write the profile to FILE'
complete -c ppcvm -n "__fish_seen_subcommand_from import" -s f -l force -d 'Overwrite the --output FILE'

complete -c ppcvm -n "__fish_seen_subcommand_from help" -a "$__ppcvm_cmds"

# os
complete -c ppcvm -n "__fish_seen_subcommand_from os" -a '(__ppcvm_oses)' -d 'OS-RELEASE'
complete -c ppcvm -n "__fish_seen_subcommand_from os" -l json -d 'Print JSON'
complete -c ppcvm -n "__fish_seen_subcommand_from os" -l names -d 'Only the OS-RELEASE names, one per line'
complete -c ppcvm -n "__fish_seen_subcommand_from os" -s v -l verbose -d 'Show URLs, checksum files and sources'

# get
complete -c ppcvm -n "__fish_seen_subcommand_from get" -a '(__ppcvm_oses)' -d 'OS-RELEASE'
complete -c ppcvm -n "__fish_seen_subcommand_from get" -l iso -d 'The installer ISO'
complete -c ppcvm -n "__fish_seen_subcommand_from get" -l cloud -d 'The cloud image'
complete -c ppcvm -n "__fish_seen_subcommand_from get" -l json -d 'Print JSON'
complete -c ppcvm -n "__fish_seen_subcommand_from get" -l base-url -x -d 'Fetch from URL instead'
complete -c ppcvm -n "__fish_seen_subcommand_from get" -l keyring -rF -d 'A gpg keyring with signing keys'
complete -c ppcvm -n "__fish_seen_subcommand_from get" -l timeout -x -d 'Give up after S seconds without data'
complete -c ppcvm -n "__fish_seen_subcommand_from get" -l retries -x -d 'Resume a dropped download up to N times'
complete -c ppcvm -n "__fish_seen_subcommand_from get" -s q -l quiet -d 'No progress or notes'

# new --os
complete -c ppcvm -n "__fish_seen_subcommand_from new" -l os -xa '(__ppcvm_oses)' -d 'Get this OS and fill its media in'
complete -c ppcvm -n "__fish_seen_subcommand_from new" -l cloud -d 'The cloud image and a cloud-init seed'
complete -c ppcvm -n "__fish_seen_subcommand_from new" -l ssh-key -rF -d 'The public key for the guest user'
complete -c ppcvm -n "__fish_seen_subcommand_from new" -l base-url -x -d 'Fetch from URL instead'
complete -c ppcvm -n "__fish_seen_subcommand_from new" -l keyring -rF -d 'A gpg keyring with signing keys'
complete -c ppcvm -n "__fish_seen_subcommand_from new" -l timeout -x -d 'Give up after S seconds without data'
complete -c ppcvm -n "__fish_seen_subcommand_from new" -l retries -x -d 'Resume a dropped download up to N times'
complete -c ppcvm -n "__fish_seen_subcommand_from new" -s q -l quiet -d 'No progress or notes'
