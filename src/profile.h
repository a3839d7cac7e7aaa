/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Guest profiles: GKeyFile files, validated key by key. Every error names the
 * file (or the -s override), the [group], the key, the value and what is
 * accepted. Paths are resolved against the profile's directory; `~/` and
 * `${XDG_CACHE_HOME}/` expand. */
#pragma once

#include <glib.h>

/* [guest] name= is a title (window titles, launchers, libvirt); the guest's
 * name for list/stop/console is another thing (state.h, STATE_NAME_RULE). */
#define PROFILE_TITLE_MAX 128
#define PROFILE_TITLE_RULE                                                                         \
  "a title is 1 to 128 printable characters: no control or invisible format characters, no '/' "  \
  "or '=', not starting with '-'"

typedef enum { GUEST_MMU_RADIX, GUEST_MMU_HASH } GuestMmu;
typedef enum { ACCEL_AUTO, ACCEL_KVM, ACCEL_HV, ACCEL_PR, ACCEL_TCG } AccelRequest;
typedef enum { DISPLAY_SERIAL, DISPLAY_NONE, DISPLAY_VNC, DISPLAY_GTK } GuestDisplay;
typedef enum { NET_USER, NET_NONE, NET_TAP, NET_BRIDGE } NetMode;
/* [boot] firmware=: which pseries firmware boots the guest. */
typedef enum { FIRMWARE_AUTO, FIRMWARE_SLOF, FIRMWARE_VOF } FirmwareRequest;
/* How far the planner goes: the compatibility notes (strict), or what the
 * kernel's checks accept (kernel; untested). */
typedef enum { COMPAT_STRICT, COMPAT_KERNEL } CompatMode;
/* [boot] order=: which device SLOF boots first (auto: the disk once there is one). */
typedef enum { BOOT_ORDER_AUTO, BOOT_ORDER_DISK, BOOT_ORDER_CDROM } BootOrder;

typedef struct {
  char *name;         /* the [disk:NAME] part */
  char *file;         /* absolute */
  char *format;       /* raw, qcow2... or NULL (qemu probes) */
  char *interface;    /* virtio, scsi, ide... or NULL: virtio */
  gboolean readonly;
} ProfileDisk;

/* [network] forward=PROTO:[ADDR:]HOSTPORT-[GUESTADDR]:GUESTPORT, parsed. */
typedef enum { FORWARD_TCP, FORWARD_UDP } ForwardProto;

typedef struct {
  ForwardProto proto;
  char *host_addr;    /* the IPv4 address to listen on; NULL: none given (loopback) */
  guint16 host_port;
  char *guest_addr;   /* NULL: the guest's own address */
  guint16 guest_port;
} ProfileForward;

void profile_forward_free (ProfileForward *fwd);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProfileForward, profile_forward_free)
/* TEXT as a forward (case-insensitive protocol, surrounding blanks allowed),
 * or NULL when it is not one. */
ProfileForward *profile_forward_parse (const char *text);
ProfileForward *profile_forward_new (ForwardProto proto, const char *host_addr, guint16 host_port,
                                     const char *guest_addr, guint16 guest_port);
const char *profile_forward_proto_to_string (ForwardProto proto); /* "tcp", "udp" */
/* The profile's form: "tcp:2222-:22", "udp:0.0.0.0:5353-10.0.2.15:53". */
char *profile_forward_to_string (const ProfileForward *fwd);

typedef struct {
  char *path;          /* the file the profile came from (absolute), or NULL */
  char *id;            /* the profile's name: basename without .conf */

  /* [guest] */
  char *name;
  char *uuid;          /* the libvirt domain UUID, NULL: derived from id (libvirt.h) */
  gboolean big_endian; /* endian=big: a big-endian (ppc64) guest; little (ppc64le) by default */
  GuestMmu mmu;
  guint64 page_size;   /* 4096 or 65536 */
  int cpu_generation;  /* 7..10; 0 = host */
  guint64 memory;      /* bytes */
  guint smp;
  guint threads;       /* vCPU threads per core (SMT): 1, 2, 4 or 8; 0 = unset (qemu: 1) */
  gboolean nested;
  AccelRequest accel;
  char *machine;       /* "pseries" or "pseries-X.Y" */
  GuestDisplay display;
  char *vnc_listen;    /* address:display for display=vnc; NULL = 127.0.0.1:0 */
  char *vnc_password_file; /* NULL: none */
  char *mem_path;      /* forces -mem-path DIR (absolute), NULL: planner decides */
  CompatMode compat;   /* compat= strict (default) | kernel */

  /* [boot] */
  char *kernel, *initrd, *append, *cdrom;
  FirmwareRequest firmware; /* auto: the planner decides (VOF for kernel= boots) */
  char *bios;          /* a firmware image in place of QEMU's (-bios), or NULL */
  BootOrder boot_order;

  /* [disk:NAME] */
  GPtrArray *disks;    /* of ProfileDisk* */

  /* [network] */
  NetMode net_mode;
  GPtrArray *forwards; /* of ProfileForward*, in order */
  char *net_ifname;    /* tap ifname / bridge name */
  char *net_model;     /* NULL: virtio-net-pci */
  char *net_rom;       /* the NIC's option ROM; NULL: none (pseries never runs one) */

  /* [ssh] (ppcvm ssh) */
  char *ssh_user;      /* NULL: ssh's default (the local user name) */
  char *ssh_identity;  /* a private key (absolute), or NULL */
  guint ssh_port;      /* the guest's sshd port (22) */
  gboolean ssh_forward; /* forward a loopback port to it at start (yes) */

  /* [qemu] */
  char **qemu_args;
  char *qemu_binary;   /* NULL: search $PATH */

  /* [cloud-init]: what `ppcvm new --os` puts in a cloud image's NoCloud seed
   * (NULL: the user's login name, the profile name, ~/.ssh/\*.pub). */
  char *ci_user;
  char *ci_hostname;
  char *ci_ssh_key;    /* a public key file */
} Profile;

Profile *profile_new_defaults (void);
void profile_free (Profile *profile);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Profile, profile_free)

/* Resolve a PROFILE argument to a file: an argument holding a '/' or ending in
 * ".conf" is a path; otherwise NAME.conf is searched in
 * $XDG_CONFIG_HOME/ppcvm/profiles, /etc/ppcvm/profiles, the data dirs. */
char *profile_find (const char *name, GError **error);

/* The profile directories in search order (user, system, data), newly allocated. */
GStrv profile_search_dirs (void);
/* The same, with *RET_SOURCES (if not NULL) saying where each comes from, in
 * the words of ppcvm(1) FILES: env, user, system, data or source. */
GStrv profile_search_dirs_full (GStrv *ret_sources);

/* An installed profile, as `ppcvm profiles` lists it. */
typedef struct {
  char *id;          /* what `ppcvm plan ID` takes */
  char *source;      /* env, user, system, data or source */
  char *path;
  char *guest_name;  /* [guest] name=, else the id */
  char *description; /* the file's first comment line, or NULL */
  char *shadowed_by; /* the path that wins for this id, or NULL */
} ProfileEntry;
void profile_entry_free (ProfileEntry *e);

/* Every NAME.conf in the search directories, sorted by name; for a name found
 * twice, the first in search order wins and the others are shadowed. Read
 * without validating: a profile with a missing disk image is still
 * installed, and `ppcvm plan` says what is wrong. Of ProfileEntry*. */
GPtrArray *profile_list_installed (void);

/* Load and validate PATH, then apply OVERRIDES ("group.key=value", each
 * validated the same way; a relative path in an override is relative to the
 * current directory). Checks that kernel, initrd, bios, cdrom and disk
 * files exist. */
Profile *profile_load (const char *path, const char *const *overrides, GError **error);

/* The same from text (FILENAME is used in messages and to resolve paths). */
Profile *profile_load_data (const char *data, const char *filename, const char *const *overrides,
                            GError **error);

/* The host port of the forward to the guest's sshd (ssh_port) in PROFILE's
 * forwards, or 0 when none forwards it. */
guint profile_ssh_host_port (const Profile *profile);

const char *profile_mmu_to_string (GuestMmu mmu);
const char *profile_accel_to_string (AccelRequest a);
gboolean profile_accel_from_string (const char *s, AccelRequest *ret);
const char *profile_display_to_string (GuestDisplay d);
const char *profile_firmware_to_string (FirmwareRequest f); /* "auto", "slof", "vof" */
