"""The named VM configurations: which VMM stack, device options and guest
kernel each one runs. A configuration's name is its target name in results."""

from dataclasses import dataclass, field
from typing import List, Optional

# Guest RAM shared through a memfd: vhost-user backends need it, and the
# forky stack uses it for every configuration so they differ only in device.
MEMFD_RAM = ["-object", "memory-backend-memfd,id=mem,size={mem},share=on",
             "-machine", "q35,memory-backend=mem"]


@dataclass
class Config:
    name: str
    stack: str                  # "host" (bookworm-backports QEMU) or "forky" (chroot)
    kernel: str                 # "linux-6.1" or "linux-7.2"
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
    # The agent of the stock driver's DRM interface (conformance/agent).
    agent: bool = True
    # The Vulkan agent (conformance/vkagent): Mesa's Venus driver in the guest,
    # run inside the forky chroot's /usr exported read-only over 9p, so the
    # configuration's stack must be "forky" (an external backend may serve it).
    vk: bool = False
    case_timeout: int = 20      # seconds per agent case (the agent's watchdog)
    timeout_s: Optional[int] = None  # seconds for the whole boot, when longer than the runner's

    def __post_init__(self):
        if self.vk and self.stack != "forky":
            raise ValueError(f"{self.name}: the Vulkan agent needs the forky userland")

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

BY_NAME = {c.name: c for c in CONFIGS}

# What the default pytest run covers: the copy-path pairs on the host QEMU
# (device built in, and behind vhost-user), the real host-visible pair in
# forky, the Venus pair, and the Linux driver against our device behind forky
# QEMU. (./test.sh runs them all.)
DEFAULT_SET = ["qemu10-virtio-gpu-linux6.1", "qemu10-virtio-gpu-linux7.2", "qemu10-vhost-user-gpu-linux7.2",
               "qemu11-virgl-blob-linux7.2", "qemu11-venus-linux7.2", "qemu11-vgb-host-linux7.2"]
