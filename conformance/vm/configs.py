"""The named VM configurations: which VMM stack, device options and guest
kernel each one runs. A configuration's name is its target name in results."""

import dataclasses
from dataclasses import dataclass, field
from typing import List, Optional

# Guest RAM shared through a memfd: vhost-user backends need it, and the
# forky stack uses it for every configuration so they differ only in device.
MEMFD_RAM = ["-object", "memory-backend-memfd,id=mem,size={mem},share=on",
             "-machine", "{machine},memory-backend=mem"]


@dataclass
class Machine:
    qemu: str                   # the system emulator
    machine: str                # -machine type
    console: str                # kernel console (first serial port)
    results: str                # the agent's result port (second serial port)
    extra: List[str] = field(default_factory=list)


MACHINES = {
    "x86_64": Machine("qemu-system-x86_64", "q35", "ttyS0", "ttyS1", ["-vga", "none"]),
    # cpu max: the only TCG model with 4, 16 and 64 KiB translation granules;
    # pauth-impdef: the cheap pointer-authentication algorithm (the
    # architected one dominates TCG time).
    "aarch64": Machine("qemu-system-aarch64", "virt", "ttyAMA0", "ttyAMA1",
                       ["-cpu", "max,pauth-impdef=on"]),
}


@dataclass
class Config:
    name: str
    stack: str                  # "host" (bookworm-backports QEMU) or "forky" (chroot)
    kernel: str                 # build-guest.sh's name: linux-6.1, linux-7.2, linux-7.2-arm64[-16k]
    device: List[str]           # QEMU arguments that make the GPU
    summary: str                # one line for --list and the report
    gl: bool = False            # needs Xvfb + the GL display
    # An external vhost-user backend the runner starts on a socket in the run
    # directory: "vgb-host" (our device) or "qemu-vhost-user-gpu" (QEMU's own).
    backend: Optional[str] = None
    backend_args: List[str] = field(default_factory=list)
    mem: str = "512M"
    screendump: bool = True     # QMP screendump shows the 2D scanout
    # Why the scanout cannot be captured at all (frontends without a console,
    # backends without a dump; our device dumps it: --dump-scanout).
    no_capture: Optional[str] = None
    # x-query-virtio-status aborts forky's QEMU 11.1.2 (qapi visitor assertion):
    # there the negotiated features come from the guest driver's log instead.
    virtio_status: bool = True
    extra: List[str] = field(default_factory=list)
    # Appended to the guest kernel command line (vgb.* options of the agent).
    agent_params: List[str] = field(default_factory=list)
    # The agent of the stock driver's DRM interface (conformance/agent).
    agent: bool = True
    # The Vulkan agent (conformance/vkagent): Mesa's Venus driver in the guest,
    # run inside the forky chroot's /usr exported read-only over 9p, so the
    # configuration's stack must be "forky" (an external backend may serve it).
    vk: bool = False
    case_timeout: int = 20      # seconds per agent case (the agent's watchdog)
    timeout_s: Optional[int] = None  # seconds for the whole boot, when longer than the runner's
    arch: str = "x86_64"        # a key of MACHINES
    rerun_failures: int = 0     # agent reruns of a failing case (vgb.rerun_failures)

    def __post_init__(self):
        if self.vk and self.stack != "forky":
            raise ValueError(f"{self.name}: the Vulkan agent needs the forky userland")
        if self.vk and self.arch != "x86_64":
            raise ValueError(f"{self.name}: the Vulkan agent runs the forky userland, which is x86-64")

    @property
    def device_options(self) -> str:
        return " ".join(a for a in self.device if not a.startswith("-"))


VENUS_DEVICE = "virtio-gpu-gl-pci,blob=true,hostmem=256M,venus=on"

CONFIGS = [
    Config("qemu10-virtio-gpu-linux6.1", "host", "linux-6.1",
           ["-device", "virtio-gpu-pci,hostmem=256M"],
           "bookworm-backports QEMU 10.0.2 virtio-gpu-pci,hostmem=256M, Linux 6.1: copy path; "
           "blobs refused (no udmabuf/rutabaga)"),
    Config("qemu10-virtio-gpu-linux7.2", "host", "linux-7.2",
           ["-device", "virtio-gpu-pci,hostmem=256M"],
           "bookworm-backports QEMU 10.0.2 virtio-gpu-pci,hostmem=256M, Linux 7.2: copy path; "
           "blobs refused"),
    Config("qemu10-virtio-gpu-nohostmem-linux7.2", "host", "linux-7.2",
           ["-device", "virtio-gpu-pci"],
           "bookworm-backports QEMU 10.0.2 plain virtio-gpu-pci, Linux 7.2: the copy path only"),
    Config("qemu11-virgl-blob-linux7.2", "forky", "linux-7.2",
           ["-device", "virtio-gpu-gl-pci,blob=true,hostmem=256M"],
           "forky QEMU 11.1 virtio-gpu-gl-pci,blob=true,hostmem=256M (virglrenderer 1.3, llvmpipe), "
           "Linux 7.2: host-visible blobs", gl=True, mem="1G", screendump=False, virtio_status=False),
    # Venus: Mesa's Vulkan driver in the guest, virglrenderer's render server
    # (virgl-server, started by virglrenderer) on host lavapipe.
    Config("qemu11-venus-linux7.2", "forky", "linux-7.2",
           ["-device", VENUS_DEVICE],
           "forky QEMU 11.1 virtio-gpu-gl-pci,blob=true,hostmem=256M,venus=on (virglrenderer 1.3 + render "
           "server, lavapipe), Linux 7.2 with Mesa's Venus driver: the pair.vk.* cases",
           gl=True, mem="1G", screendump=False, virtio_status=False, vk=True, case_timeout=90, timeout_s=600),
    Config("qemu11-venus-linux6.1", "forky", "linux-6.1",
           ["-device", VENUS_DEVICE],
           "forky QEMU 11.1 virtio-gpu-gl-pci,blob=true,hostmem=256M,venus=on, Linux 6.1 with Mesa's Venus "
           "driver (the Vulkan agent only: the DRM cases are qemu11-virgl-blob-linux6.1's)",
           gl=True, mem="1G", screendump=False, virtio_status=False, agent=False, vk=True, case_timeout=90,
           timeout_s=600),
    Config("qemu11-virgl-blob-linux6.1", "forky", "linux-6.1",
           ["-device", "virtio-gpu-gl-pci,blob=true,hostmem=256M"],
           "forky QEMU 11.1 virtio-gpu-gl-pci,blob=true,hostmem=256M, Linux 6.1", gl=True, mem="1G",
           screendump=False, virtio_status=False),
    # Our device behind QEMU's generic vhost-user frontends. The backend is
    # started by the runner on a socket in the run directory.
    Config("qemu11-vgb-host-linux7.2", "forky", "linux-7.2",
           ["-chardev", "socket,id=vu0,path={socket}",
            "-device", "vhost-user-test-device-pci,chardev=vu0,virtio-id=16,num_vqs=2,config_size=16"],
           "forky QEMU 11.1 vhost-user-test-device-pci (virtio-id 16) + vgb-host with the "
           "host-visible region over vhost-user SHMEM, Linux 7.2", backend="vgb-host", mem="1G",
           virtio_status=False, screendump=False),
    Config("qemu11-vgb-host-linux6.1", "forky", "linux-6.1",
           ["-chardev", "socket,id=vu0,path={socket}",
            "-device", "vhost-user-test-device-pci,chardev=vu0,virtio-id=16,num_vqs=2,config_size=16"],
           "forky QEMU 11.1 vhost-user-test-device-pci + vgb-host, Linux 6.1", backend="vgb-host", mem="1G",
           virtio_status=False, screendump=False),
    # Without VIRGL the Linux driver can make only GUEST blobs: the blob paths
    # that need no host context, with the validating mode watching the driver.
    Config("qemu11-vgb-host-novirgl-linux7.2", "forky", "linux-7.2",
           ["-chardev", "socket,id=vu0,path={socket}",
            "-device", "vhost-user-test-device-pci,chardev=vu0,virtio-id=16,num_vqs=2,config_size=16"],
           "forky QEMU 11.1 vhost-user-test-device-pci + vgb-host --no-virgl (GUEST blobs only, no "
           "HOST3D blobs), Linux 7.2", backend="vgb-host", backend_args=["--no-virgl"], mem="1G",
           virtio_status=False, screendump=False),
    # The Linux driver's mapping attribute against map_info: a 2 GiB region puts the BAR
    # above 4 GiB, where SeaBIOS's MTRRs leave the type to PAT (the 32-bit window is
    # uncachable, which hides what the driver asks for), and vgb-host --hostile makes
    # MAP_BLOB answer a map_info the stock driver must treat with care; the agent is told
    # which (vgb.map_info) since Linux does not show it.
    Config("qemu11-vgb-host-bar64-wc-high-bits-linux7.2", "forky", "linux-7.2",
           ["-chardev", "socket,id=vu0,path={socket}",
            "-device", "vhost-user-test-device-pci,chardev=vu0,virtio-id=16,num_vqs=2,config_size=16"],
           "forky QEMU 11.1 vhost-user-test-device-pci + vgb-host with a 2 GiB region (BAR above 4 GiB) "
           "answering map_info WC with bits above the cache mask, Linux 7.2", backend="vgb-host",
           backend_args=["--region-size=2G", "--hostile=map-info=0xabcd0003@RESOURCE_MAP_BLOB"],
           agent_params=["vgb.map_info=0xabcd0003"], mem="1G", virtio_status=False, screendump=False),
    Config("qemu11-vgb-host-bar64-none-linux7.2", "forky", "linux-7.2",
           ["-chardev", "socket,id=vu0,path={socket}",
            "-device", "vhost-user-test-device-pci,chardev=vu0,virtio-id=16,num_vqs=2,config_size=16"],
           "forky QEMU 11.1 vhost-user-test-device-pci + vgb-host with a 2 GiB region (BAR above 4 GiB) "
           "answering map_info NONE, Linux 7.2", backend="vgb-host",
           backend_args=["--region-size=2G", "--hostile=map-info=0@RESOURCE_MAP_BLOB"],
           agent_params=["vgb.map_info=0"], mem="1G", virtio_status=False, screendump=False),
    # Our device with its virglrenderer renderer (built and run in the forky
    # chroot: virglrenderer 1.3, the render server, lavapipe): Venus contexts
    # go to virglrenderer, the reference context stays the default. Both
    # agents run: the pair.vk.* cases next to qemu11-venus-linux7.2's.
    Config("qemu11-vgb-host-venus-linux7.2", "forky", "linux-7.2",
           ["-chardev", "socket,id=vu0,path={socket}",
            "-device", "vhost-user-test-device-pci,chardev=vu0,virtio-id=16,num_vqs=2,config_size=16"],
           "forky QEMU 11.1 vhost-user-test-device-pci + vgb-host --renderer=virgl (virglrenderer 1.3: "
           "Venus through its render server on lavapipe, GL on surfaceless llvmpipe; the reference "
           "context stays the default), Linux 7.2 with Mesa's Venus driver: the pair.vk.* cases on our device",
           backend="vgb-host-renderer", backend_args=["--renderer=virgl"], mem="1G", virtio_status=False,
           screendump=False, vk=True, case_timeout=90, timeout_s=600),
    Config("qemu10-vhost-user-gpu-vgb-host-linux7.2", "host", "linux-7.2",
           ["-chardev", "socket,id=vgpu,path={socket}",
            "-device", "vhost-user-gpu-pci,chardev=vgpu"],
           "bookworm-backports QEMU 10.0.2 vhost-user-gpu-pci + vgb-host, Linux 7.2 (2D display "
           "channel; no shared memory region on this frontend)", backend="vgb-host", mem="1G"),

    # The generic vhost-user frontend our device sits behind, driven by QEMU's
    # own vhost-user-gpu backend: proves that plumbing without our device.
    Config("qemu11-test-device-vhost-user-gpu-linux7.2", "forky", "linux-7.2",
           ["-chardev", "socket,id=vu0,path={socket}",
            "-device", "vhost-user-test-device-pci,chardev=vu0,virtio-id=16,num_vqs=2,config_size=16"],
           "forky QEMU 11.1 vhost-user-test-device-pci (virtio-id 16) + QEMU 10.0.2's vhost-user-gpu "
           "backend, Linux 7.2 (no display channel, no SHMEM)", backend="qemu-vhost-user-gpu", mem="512M",
           virtio_status=False, screendump=False,
           no_capture="vhost-user-test-device-pci carries no display channel, so QEMU has no console to capture"),
    # QEMU's own vhost-user-gpu backend behind the same frontend: proves the
    # vhost-user plumbing and is a pair in its own right (2D, EDID only).
    Config("qemu10-vhost-user-gpu-linux7.2", "host", "linux-7.2",
           ["-chardev", "socket,id=vgpu,path={socket}",
            "-device", "vhost-user-gpu-pci,chardev=vgpu"],
           "bookworm-backports QEMU 10.0.2 vhost-user-gpu-pci + QEMU's vhost-user-gpu backend, Linux 7.2 "
           "(2D only)", backend="qemu-vhost-user-gpu", mem="512M"),
]

def vgb_host_behind_test_device(name, kernel, summary, backend_args=(), arch="x86_64", config_size=16, **kw):
    """Our device behind forky QEMU's vhost-user-test-device-pci. config_size
    is the frontend's copy of the configuration space: 20 bytes to carry
    blob_alignment."""
    return Config(name, "forky", kernel,
                  ["-chardev", "socket,id=vu0,path={socket}",
                   "-device", "vhost-user-test-device-pci,chardev=vu0,virtio-id=16,num_vqs=2,"
                   f"config_size={config_size}"],
                  summary, backend="vgb-host", backend_args=list(backend_args), mem="1G", virtio_status=False,
                  screendump=False, arch=arch,
                  no_capture="vhost-user-test-device-pci carries no display channel, so QEMU has no console "
                             "to capture", **kw)


ARM64 = dict(arch="aarch64", case_timeout=60)
ALIGN_16K = ["--alignment=16384", "--blob-alignment"]
ALIGN_64K = ["--alignment=65536", "--blob-alignment"]

# aarch64 virt guests under TCG, with 4 KiB and 16 KiB pages: sizes and map
# offsets at every granularity, BLOB_ALIGNMENT at, above and below the guest
# page, and the page protection the arm64 driver picks for each map_info.
CONFIGS += [
    vgb_host_behind_test_device("qemu11-vgb-host-align16k-linux7.2-arm64-16k", "linux-7.2-arm64-16k",
                         "forky QEMU 11.1 aarch64 virt + vhost-user-test-device-pci + vgb-host --alignment=16384 "
                         "--blob-alignment, Linux 7.2 with 16 KiB pages: BLOB_ALIGNMENT negotiated at the guest page",
                         ALIGN_16K, config_size=20, **ARM64),
    vgb_host_behind_test_device("qemu11-vgb-host-align64k-linux7.2-arm64-16k", "linux-7.2-arm64-16k",
                         "forky QEMU 11.1 aarch64 virt + vgb-host --alignment=65536 --blob-alignment, Linux 7.2 "
                         "with 16 KiB pages: the device's alignment exceeds the guest page",
                         ALIGN_64K, config_size=20, **ARM64),
    vgb_host_behind_test_device("qemu11-vgb-host-linux7.2-arm64-16k", "linux-7.2-arm64-16k",
                         "forky QEMU 11.1 aarch64 virt + vgb-host (4 KiB granularity, no BLOB_ALIGNMENT), Linux 7.2 "
                         "with 16 KiB pages", **ARM64),
    vgb_host_behind_test_device("qemu11-vgb-host-linux7.2-arm64", "linux-7.2-arm64",
                         "forky QEMU 11.1 aarch64 virt + vgb-host (no BLOB_ALIGNMENT), Linux 7.2 with 4 KiB pages",
                         **ARM64),
    vgb_host_behind_test_device("qemu11-vgb-host-align16k-linux7.2-arm64", "linux-7.2-arm64",
                         "forky QEMU 11.1 aarch64 virt + vgb-host --alignment=16384 --blob-alignment, Linux 7.2 "
                         "with 4 KiB pages: the device's alignment exceeds the guest page",
                         ALIGN_16K, config_size=20, **ARM64),
    vgb_host_behind_test_device("qemu11-vgb-host-wc-linux7.2-arm64-16k", "linux-7.2-arm64-16k",
                         "forky QEMU 11.1 aarch64 virt + vgb-host --map-cache=wc --alignment=16384 --blob-alignment, "
                         "Linux 7.2 with 16 KiB pages: the protection the driver picks for WC",
                         ["--map-cache=wc", *ALIGN_16K], config_size=20, **ARM64),
    vgb_host_behind_test_device("qemu11-vgb-host-uncached-linux7.2-arm64-16k", "linux-7.2-arm64-16k",
                         "forky QEMU 11.1 aarch64 virt + vgb-host --map-cache=uncached --alignment=16384 "
                         "--blob-alignment, Linux 7.2 with 16 KiB pages: the protection the driver picks for UNCACHED",
                         ["--map-cache=uncached", *ALIGN_16K], config_size=20, **ARM64),
    Config("qemu11-virgl-blob-linux7.2-arm64-16k", "forky", "linux-7.2-arm64-16k",
           ["-device", "virtio-gpu-gl-pci,blob=true,hostmem=256M"],
           "forky QEMU 11.1 aarch64 virt, virtio-gpu-gl-pci,blob=true,hostmem=256M (virglrenderer 1.3, llvmpipe), "
           "Linux 7.2 with 16 KiB pages", gl=True, mem="1G", screendump=False, virtio_status=False, **ARM64),
    Config("qemu11-virgl-blob-linux7.2-arm64", "forky", "linux-7.2-arm64",
           ["-device", "virtio-gpu-gl-pci,blob=true,hostmem=256M"],
           "forky QEMU 11.1 aarch64 virt, virtio-gpu-gl-pci,blob=true,hostmem=256M, Linux 7.2 with 4 KiB pages",
           gl=True, mem="1G", screendump=False, virtio_status=False, **ARM64),
    # A driver that declines BLOB_ALIGNMENT (Linux 6.1 predates it) on a host
    # with 16 KiB pages: the device refuses the feature set (REQ-DEV-FEAT-0070).
    vgb_host_behind_test_device("qemu11-vgb-host-pages16k-linux6.1", "linux-6.1",
                                "forky QEMU 11.1 vhost-user-test-device-pci + vgb-host --page-size=16384 "
                                "--blob-alignment (a host with 16 KiB pages), Linux 6.1 (declines BLOB_ALIGNMENT)",
                                ["--page-size=16384", "--blob-alignment"], config_size=20),
]

BY_NAME = {c.name: c for c in CONFIGS}

# What the default pytest run covers: the copy-path pairs on the host QEMU
# (device built in, and behind vhost-user), the real host-visible pair in
# forky, the Venus pair, the Linux driver against our device behind forky
# QEMU, and the 16 KiB-page arm64 guest against our device with
# BLOB_ALIGNMENT negotiated, where page sizes matter most. (./test.sh runs
# them all.)
DEFAULT_SET = ["qemu10-virtio-gpu-linux6.1", "qemu10-virtio-gpu-linux7.2", "qemu10-vhost-user-gpu-linux7.2",
               "qemu11-virgl-blob-linux7.2", "qemu11-venus-linux7.2", "qemu11-vgb-host-linux7.2",
               "qemu11-vgb-host-align16k-linux7.2-arm64-16k"]

# Names run.py and VGB_VM_CONFIGS accept besides configuration names.
GROUPS = {
    "default": DEFAULT_SET,
    "all": [c.name for c in CONFIGS],
    "arm64": [c.name for c in CONFIGS if c.arch == "aarch64"],
}

# A device broken on purpose (vgb-host --break) must make the matching agent
# case FAIL naming the requirement it breaks: (configuration, break, case, ID).
VM_BREAKS = [
    ("qemu11-vgb-host-align16k-linux7.2-arm64-16k", "alignment-ignored", "pair.pages.map_offsets", "REQ-DEV-MAP-0090"),
]


def with_break(cfg, brk):
    """cfg with vgb-host --break=brk."""
    return dataclasses.replace(cfg, name=f"{cfg.name}+break-{brk}", backend_args=[*cfg.backend_args, f"--break={brk}"])
