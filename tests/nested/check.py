#!/usr/bin/env python3
# check.py KIND CONSOLE_LOG - verify the result lines the L1 /init printed
# (tests/nested/l1-init.sh). Prints one PASS/FAIL line per check, a summary
# of what the KVM probe found, and exits 1 if anything failed or is missing.
import json
import re
import sys

kind, path = sys.argv[1], sys.argv[2]
text = open(path, 'rb').read().decode('utf-8', 'replace')
text = re.sub(r'\x1b\[[0-9;?]*[A-Za-z]', '', text).replace('\r', '')
lines = text.split('\n')
failed = 0
passed = 0


def check(ok, what, detail=''):
    global failed, passed
    if ok:
        passed += 1
        print('PASS: %s' % what)
    else:
        failed += 1
        print('FAIL: %s%s' % (what, (' -- ' + detail) if detail else ''))
    return ok


def find(pattern):
    for ln in lines:
        m = re.search(pattern, ln)
        if m:
            return m
    return None


def segment(case):
    """The console lines of one `ppcvm run` case, and its rc."""
    out, inside = [], False
    for ln in lines:
        if re.search(r'NESTED-CASE-BEGIN %s ' % re.escape(case), ln):
            inside = True
            continue
        m = re.search(r'NESTED-CASE-END %s rc=(\d+) secs=(\S+)' % re.escape(case), ln)
        if m and inside:
            return out, int(m.group(1)), m.group(2)
        if inside:
            out.append(ln)
    return out, None, None


def plan(case):
    m = find(r'NESTED-PLAN %s rc=(\d+) (.*)$' % re.escape(case))
    if not m:
        check(False, 'plan %s printed' % case)
        return None, None
    try:
        return int(m.group(1)), json.loads(m.group(2))
    except ValueError as e:
        check(False, 'plan %s is JSON' % case, str(e))
        return int(m.group(1)), None


def kvmfds(case):
    m = find(r'NESTED-KVMFDS %s pid=(\S+) fds=(\S*)' % re.escape(case))
    return m.group(2) if m else ''


def marker(seg, key):
    for ln in seg:
        m = re.search(r'PPCVM-GUEST: %s=(.*)$' % key, ln)
        if m:
            return m.group(1).strip()
    return None


check(find(r'NESTED-BEGIN kind=%s ' % kind) is not None, 'the %s L1 reached /init' % kind)
check(find(r'NESTED-DONE') is not None, 'the L1 /init ran every case')

# ---- ppcvm host --json on the real kvm_hv host ----
host = None
m = find(r'NESTED-HOST (\{.*\})')
if check(m is not None, 'ppcvm host --json printed'):
    try:
        host = json.loads(m.group(1))
    except ValueError as e:
        check(False, 'ppcvm host --json is JSON', str(e))
if host:
    kvm = host.get('kvm') or {}
    caps = kvm.get('caps') or {}
    cc = kvm.get('cpu_char') or {}
    page = 65536 if kind == '64k' else 4096
    check(host.get('arch') == 'ppc64le', 'host: arch ppc64le', host.get('arch'))
    check(host.get('platform') == 'pseries', 'host: platform pseries', host.get('platform'))
    check(host.get('mmu') == 'radix', 'host: MMU radix', host.get('mmu'))
    check(host.get('page_size') == page, 'host: page size %d' % page, str(host.get('page_size')))
    check(kvm.get('hv') is True, 'host: kvm_hv loaded')
    check(kvm.get('usable') is True, 'host: /dev/kvm usable', kvm.get('usable_reason', ''))
    check(isinstance(kvm.get('caps'), dict), 'host: kvm.caps probed')
    check(caps.get('radix') is True, 'host: KVM_CAP_PPC_MMU_RADIX')
    check(caps.get('hash_v3') is False, 'host: no KVM_CAP_PPC_MMU_HASH_V3 (nested HV runs radix only)')
    check(caps.get('htm') is False, 'host: no KVM_CAP_PPC_HTM')
    check(caps.get('page_sizes_real') is True, 'host: KVM_PPC_PAGE_SIZES_REAL (kvm_hv)')
    check(isinstance(kvm.get('cpu_char'), dict), 'host: kvm.cpu_char probed')
    check(cc.get('cfpc') == 'broken' and cc.get('sbbc') == 'broken',
          'host: cfpc and sbbc broken (L0 runs cap-cfpc=broken,cap-sbbc=broken)', json.dumps(cc))
    print('probe (%s L1): caps %s; cpu_char %s' % (kind, json.dumps(caps, sort_keys=True),
                                                  json.dumps(cc, sort_keys=True)))


def machine_at_least(p, major, minor):
    m = re.match(r'pseries-(\d+)\.(\d+)$', p.get('machine', ''))
    return not m or (int(m.group(1)), int(m.group(2))) >= (major, minor)


def expect_caps_from_probe(case, p):
    """The mitigation caps the plan must carry, derived from the probe:
    only where the machine type's default is above "broken" (pseries-4.0
    and later; ccf-assist from 5.0)."""
    if not host or not p or not machine_at_least(p, 4, 0):
        return
    cc = (host.get('kvm') or {}).get('cpu_char') or {}
    opts = p.get('machine_options', '')
    for cap in ('cfpc', 'sbbc', 'ibs'):
        if cc.get(cap) == 'broken':
            check('cap-%s=broken' % cap in opts, '%s: plan has cap-%s=broken (from the probe)' % (case, cap), opts)
    if cc.get('ccf_assist') is False and machine_at_least(p, 5, 0):
        check('cap-ccf-assist=off' in opts, '%s: plan has cap-ccf-assist=off (from the probe)' % case, opts)


def expect_hv_plan(case, extra=()):
    rc, p = plan(case)
    if p is None:
        return None
    check(rc == 0 and p.get('ok') is True, '%s: planned' % case, json.dumps(p)[:400])
    check(p.get('accel') == 'kvm-hv', '%s: plan is KVM-HV' % case, str(p.get('accel')))
    # Rule FIRMWARE: a kernel= profile under KVM-HV gets VOF by default.
    check(p.get('firmware') == 'vof' and 'x-vof=on' in p.get('machine_options', ''),
          '%s: firmware=auto plans VOF (x-vof=on)' % case, '%s %s' % (p.get('firmware'), p.get('machine_options')))
    expect_caps_from_probe(case, p)
    for e in extra:
        check(e in p.get('machine_options', ''), '%s: plan has %s' % (case, e), p.get('machine_options', ''))
    return p


def expect_l2_boot(case, pagesize, firmware):
    seg, rc, secs = segment(case)
    if not check(rc is not None, '%s: ran' % case):
        return
    blob = '\n'.join(seg)
    check(rc == 0, '%s: ppcvm run exit 0' % case, 'rc=%s' % rc)
    check(marker(seg, 'mmu') == 'Radix', '%s: L2 booted with MMU Radix' % case, str(marker(seg, 'mmu')))
    check(marker(seg, 'pagesize') == pagesize, '%s: L2 page size %s KiB' % (case, pagesize), str(marker(seg, 'pagesize')))
    check(re.search(r'PPCVM-GUEST: end', blob) is not None, '%s: L2 reached its last marker' % case)
    fds = kvmfds(case)
    check('anon_inode:kvm-vm' in fds and 'anon_inode:kvm-vcpu' in fds,
          '%s: the L1 qemu holds kvm-vm and kvm-vcpu fds (KVM, not TCG)' % case, fds or 'none')
    if firmware == 'slof':
        check('SLOF' in blob, '%s: booted through SLOF' % case)
    else:
        check('SLOF' not in blob, '%s: booted through VOF' % case)
    print('time: %s %s s (L1 uptime, ppcvm run start to exit)' % (case, secs))


def expect_refused(case, needle):
    seg, rc, _ = segment(case)
    if not check(rc is not None, '%s: ran' % case):
        return
    blob = '\n'.join(seg)
    check(rc == 3, '%s: refused with exit 3' % case, 'rc=%s' % rc)
    check(needle in blob, '%s: the refusal says "%s"' % (case, needle), blob[-600:])
    check('qemu-system-ppc64:' not in blob and kvmfds(case) == '', '%s: refused before qemu started' % case)


if kind == '64k':
    expect_hv_plan('radix')
    expect_l2_boot('radix-slof', '64', 'slof')
    rc, p = plan('hash-hv')
    if p is not None:
        check(rc == 3 and p.get('ok') is False, 'hash-hv: plan refused (exit 3)', 'rc=%s' % rc)
        check(any('HPT not supported in nested guests' in r for r in p.get('reasons', [])),
              'hash-hv: reason names "HPT not supported in nested guests"', json.dumps(p.get('reasons')))
        check(len(p.get('ways_out', [])) > 0, 'hash-hv: refusal lists ways out', json.dumps(p.get('ways_out')))
    expect_refused('hash-hv', 'HPT not supported in nested guests')
    expect_refused('pr', 'KVM PR needs a host running the hashed page table')
    rc, p = plan('hash-auto')
    if p is not None:
        check(rc == 0 and p.get('accel') == 'tcg', 'hash-auto: accel=auto falls back to TCG', str(p.get('accel')))
        check(len(p.get('warnings', [])) > 0, 'hash-auto: with a warning', json.dumps(p.get('warnings')))
    seg, rc, _ = segment('explain')
    if check(rc is not None, 'explain: ran'):
        blob = '\n'.join(seg)
        check(rc not in (0, 3) and rc is not None, 'explain: qemu failed and ppcvm passed its status on', 'rc=%s' % rc)
        check('Requested safe cache capability level not supported by KVM' in blob,
              'explain: qemu refused cap-cfpc=workaround under KVM')
        check(re.search(r'ppcvm: .*Spectre/Meltdown', blob) is not None, 'explain: ppcvm explained the error', blob[-800:])
else:
    expect_hv_plan('radix', ['cap-hpt-max-page-size=4096'])
    expect_l2_boot('radix-vof', '64', 'vof')
    expect_hv_plan('radix-4k', ['cap-hpt-max-page-size=4096'])
    expect_l2_boot('radix-4k-vof', '4', 'vof')
    p = expect_hv_plan('radix-2.11', ['cap-htm=off'])
    if p is not None:
        check(p.get('machine') == 'pseries-2.11', 'radix-2.11: machine pseries-2.11', str(p.get('machine')))
        why = [d for d in p.get('decisions', []) if d.get('setting') == 'cap-htm']
        check(any('KVM_CAP_PPC_HTM' in d.get('reason', '') for d in why),
              'radix-2.11: cap-htm=off comes from the probe', json.dumps(why))
    expect_l2_boot('radix-2.11-slof', '64', 'slof')

print('%d passed, %d failed' % (passed, failed))
sys.exit(1 if failed else 0)
