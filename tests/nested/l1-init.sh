#!/bin/busybox sh
# L1 /init of the nested suite (tests/nested/build-l1.sh packs it): load
# kvm + kvm-hv, then drive the real ppc64le ppcvm against real nested KVM-HV
# and print machine-readable lines that tests/nested/check.py verifies:
#   NESTED-BEGIN kind=K ...            NESTED-HOST <host --json, one line>
#   NESTED-PLAN CASE rc=N <plan --json, one line>
#   NESTED-CASE-BEGIN CASE cmd=...     (ppcvm's and qemu's output, L2 console)
#   NESTED-KVMFDS CASE pid=P fds=...   qemu's anon_inode:kvm-* fds while it runs
#   NESTED-CASE-END CASE rc=N secs=S   NESTED-DONE
B=/bin/busybox
export PATH=/usr/bin:/bin
export HOME=/root XDG_CACHE_HOME=/tmp/cache XDG_CONFIG_HOME=/tmp/config XDG_RUNTIME_DIR=/run/user
export NO_COLOR=1
$B mount -t proc proc /proc
$B mount -t sysfs sysfs /sys
$B mount -t devtmpfs devtmpfs /dev
$B mkdir -p /dev/pts /tmp/cache /tmp/config /run/user
$B mount -t devpts devpts /dev/pts 2>/dev/null
$B chmod 700 /run/user
echo 1 >/proc/sys/kernel/printk
KIND=$($B cat /nested/KIND)
P=/nested/profiles
up() { $B cut -d' ' -f1 /proc/uptime; }
echo
echo "NESTED-BEGIN kind=$KIND kernel=$($B uname -r) uptime=$(up)"
$B insmod /mod/kvm.ko 2>&1
$B insmod /mod/kvm-hv.ko 2>&1
echo "NESTED-INFO modules uptime=$(up) nested=$($B cat /sys/module/kvm_hv/parameters/nested 2>&1)"

# One line of JSON (ppcvm pretty-prints; strings hold no raw newlines).
oneline() { $B tr -d '\n' | $B tr -s ' '; }

echo "NESTED-HOST $(ppcvm host --json 2>&1 | oneline)"
echo "NESTED-INFO host-done uptime=$(up)"

plan() {  # CASE ARGS...: ppcvm plan --json ARGS
  c=$1; shift
  out=$(ppcvm plan --json "$@" 2>/tmp/plan.err); rc=$?
  echo "NESTED-PLAN $c rc=$rc $(echo "$out" | oneline)"
  [ -s /tmp/plan.err ] && $B sed "s/^/NESTED-PLAN-STDERR $c /" /tmp/plan.err
}

# say LINE: print to the console, retrying: qemu shares the console and
# leaves it non-blocking, so a write can fail with EAGAIN while it drains.
say() {
  n=0
  until echo "$1" 2>/dev/null; do
    n=$((n + 1)); [ $n -lt 50 ] || return 1
    $B sleep 0.1
  done
}

# Record qemu's kvm fds once it holds a VM (proof it is not TCG) in a file;
# run() prints it after qemu has exited, never on the console qemu shares.
kvmfds() {  # CASE
  i=0
  while [ $i -lt 60 ]; do
    for e in /proc/[0-9]*/exe; do
      [ "$($B readlink "$e" 2>/dev/null)" = /usr/bin/qemu-system-ppc64 ] || continue
      d=${e%/exe}
      fds=$(for f in $d/fd/*; do $B readlink "$f"; done 2>/dev/null | $B grep '^anon_inode:kvm' | $B sort | $B tr '\n' ',')
      case $fds in *kvm-vcpu*)
        echo "NESTED-KVMFDS $1 pid=${d#/proc/} fds=$fds" >/tmp/kvmfds; return 0 ;;
      esac
    done
    $B sleep 0.5; i=$((i + 1))
  done
  echo "NESTED-KVMFDS $1 pid=none fds=" >/tmp/kvmfds
}

run() {  # CASE ARGS...: ppcvm run ARGS, bounded
  c=$1; shift
  echo "NESTED-CASE-BEGIN $c cmd=ppcvm run $*"
  t0=$(up)
  $B rm -f /tmp/kvmfds
  kvmfds "$c" &
  chk=$!
  $B timeout 150 ppcvm run "$@" </dev/null 2>&1
  rc=$?
  $B kill $chk 2>/dev/null; wait $chk 2>/dev/null
  say ""
  [ -s /tmp/kvmfds ] && say "$($B cat /tmp/kvmfds)"
  say "NESTED-CASE-END $c rc=$rc secs=$(echo "$t0 $(up)" | $B awk '{printf "%.1f", $2 - $1}')"
}

VOF="-machine x-vof=on"
case $KIND in
64k)
  plan radix $P/radix.conf
  run radix-slof -s boot.firmware=slof $P/radix.conf   # SLOF, asked for (auto would pick VOF)
  plan hash-hv --accel hv $P/hash.conf
  run hash-hv --accel hv $P/hash.conf                   # refused before qemu starts
  run pr --accel pr $P/radix.conf                       # refused: no kvm_pr here
  plan hash-auto $P/hash.conf                           # falls back to TCG, with a warning
  run explain $P/radix.conf -- $VOF -machine cap-cfpc=workaround  # qemu fails, ppcvm explains
  ;;
4k)
  plan radix $P/radix.conf
  run radix-vof $P/radix.conf                           # VOF: firmware=auto, kernel= set; 64 KiB L2 kernel on a 4 KiB host
  plan radix-4k $P/radix-4k.conf
  run radix-4k-vof $P/radix-4k.conf                     # VOF (auto); 4 KiB L2 kernel
  plan radix-2.11 $P/radix-2.11.conf
  run radix-2.11-slof -s boot.firmware=slof $P/radix-2.11.conf  # cap-htm=off from the probe; SLOF
  ;;
esac
echo "NESTED-DONE uptime=$(up)"
$B poweroff -f
echo o >/proc/sysrq-trigger
while :; do $B sleep 1; done
