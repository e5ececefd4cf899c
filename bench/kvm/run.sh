#!/bin/bash
# run.sh OUTDIR: the in-guest upload benchmark on a machine with /dev/kvm,
# from an unpacked bench/kvm/pack.sh archive (this script lies in it):
#
#   tar -xJf vgb-kvm.tar.xz && vgb-kvm/run.sh results/
#
# Writes OUTDIR/machine.txt (CPU, kernel, load, date), the host-side benchmark
# of this idle machine (bench-N.txt/.json: vgb-bench against QEMU's
# vhost-user-gpu, BENCH_REPEAT times; copy-strategy.txt), and per VM configuration a directory
# with results.log (the guest's VGB-UPLOAD lines), console.log, qemu.log and
# backend.log; zero-copy.txt/.json: vgb-bench --zero-copy (ZERO_COPY=0 skips
# it, HOST_BENCH=0 the rest of the host side).  A /dev/kvm served by PVM
# (kvm_pvm, no VMX/SVM) runs no VM: see below.  ACCEL=tcg runs the same without KVM (a check of the archive,
# not a measurement); CONFIGS selects configurations; RUNS and FRAMES pass on.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "${1:?usage: run.sh OUTDIR}" && cd "$1" && pwd)
accel=${ACCEL:-kvm}
runs=${RUNS:-15}
frames=${FRAMES:-1920x1080,3840x2160}
configs=${CONFIGS-vgb-host vgb-host-bar-above-4g qemu-virtio-gpu qemu-virtio-gpu-blob}
# A CPU model without VEX-encoded instructions: under nested KVM a guest store that KVM
# must emulate (a shadowed page table) fails on BMI2/AVX ("KVM internal error", emulation
# failure in the kernel's zstd decompressor with -cpu host).
cpu_model=${CPU:-Nehalem}
vm_timeout=${VM_TIMEOUT:-180}
# The uncompressed kernel through its PVH entry when the archive has it (see pack.sh).
kernel=${KERNEL_IMAGE:-$here/guest/vmlinux}
[ -f "$kernel" ] || kernel=$here/guest/vmlinuz
bench_runs=${BENCH_RUNS:-15}
log() { printf '[kvm %(%H:%M:%S)T] %s\n' -1 "$*" | tee -a "$out/run.log" >&2; }

{
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) CPUs"
	echo "kernel: $(uname -r)"
	echo "loadavg: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "memory: $(awk '/MemTotal/{print $2/1048576 " GiB"}' /proc/meminfo)"
	echo "thp: $(cat /sys/kernel/mm/transparent_hugepage/enabled) shmem $(cat /sys/kernel/mm/transparent_hugepage/shmem_enabled 2>/dev/null)"
	echo "qemu: $(cat "$here/qemu/VERSION")"
	echo "guest kernel: $(cat "$here/guest/VERSION")"
	echo "vhost-user-gpu: $(cat "$here/host/VHOST_USER_GPU_VERSION" 2>/dev/null || echo absent)"
	echo "commit: $(cat "$here/COMMIT" 2>/dev/null)"
	echo "accel: $accel, guest CPU model ${CPU:-Nehalem}, kernel image $(basename "${KERNEL_IMAGE:-vmlinux}")"
	[ -e /dev/kvm ] && echo "kvm: /dev/kvm present" || echo "kvm: no /dev/kvm"
	for p in ept unrestricted_guest nested; do
		[ -r /sys/module/kvm_intel/parameters/$p ] && echo "kvm_intel $p: $(cat /sys/module/kvm_intel/parameters/$p)"
	done
	grep -q -w hypervisor /proc/cpuinfo && echo "this machine is itself a virtual machine: the guests run nested"
	grep -q -w -E 'vmx|svm' /proc/cpuinfo || echo "cpu: no VMX/SVM"
	[ -d /sys/module/kvm_pvm ] && echo "kvm: kvm_pvm (pagetable-based virtual machine) serves /dev/kvm"
} >"$out/machine.txt"
cat "$out/machine.txt" >&2
if [ "$accel" = kvm ] && [ ! -w /dev/kvm ]; then
	log "no usable /dev/kvm: nothing measured"
	exit 1
fi

# --- the host side on this machine: the copy strategies and vgb-bench.
if [ "${HOST_BENCH:-1}" = 1 ]; then
	log "host: vgb-copy-strategy"
	"$here/host/vgb-copy-strategy" 15 >"$out/copy-strategy.txt" 2>&1
	cmp=(--no-qemu)
	[ -x "$here/host/vhost-user-gpu" ] &&
		cmp=(--qemu "/usr/bin/env LD_LIBRARY_PATH=$here/host/lib $here/host/vhost-user-gpu")
	for i in $(seq "${BENCH_REPEAT:-1}"); do
		log "host: vgb-bench --runs $bench_runs ($i)"
		"$here/host/vgb-bench" --runs "$bench_runs" --backend "$here/host/vgb-host --region-size=256M" \
			"${cmp[@]}" --json "$out/bench-$i.json" >"$out/bench-$i.txt" 2>"$out/bench-$i.err"
		log "host: vgb-bench exit $?"
	done
fi

# --- zero copy as a measured property, on this idle machine.
if [ "${ZERO_COPY:-1}" = 1 ]; then
	log "host: vgb-bench --zero-copy"
	"$here/host/vgb-bench" --zero-copy --runs "$bench_runs" --backend "$here/host/vgb-host --region-size=256M" \
		--no-qemu --json "$out/zero-copy.json" >"$out/zero-copy.txt" 2>"$out/zero-copy.err"
	log "host: vgb-bench --zero-copy exit $?"
fi

# --- the VMs.
# PVM runs KVM guests without VMX/SVM, but only kernels built as PVM guests (an
# out-of-tree patch set); the stock Debian kernel in this archive dies in KVM's
# instruction emulator ("KVM internal error. Suberror: 1") there.
if [ "$accel" = kvm ] && [ -d /sys/module/kvm_pvm ] && ! grep -q -w -E 'vmx|svm' /proc/cpuinfo &&
	[ -z "${FORCE_PVM:-}" ]; then
	log "/dev/kvm here is PVM, which cannot boot this archive's stock guest kernel: no guest measured (FORCE_PVM=1 tries anyway)"
	exit 1
fi
run_vm() { # run_vm NAME DEVICE-ARGS... (a vgb-host socket is {socket})
	local name=$1; shift
	local dir=$out/$name sock
	mkdir -p "$dir"
	sock=$(mktemp -u /tmp/vgb-kvm-XXXXXX.sock)
	local args=() a
	for a in "$@"; do args+=("${a//\{socket\}/$sock}"); done
	local backend=""
	if [ -n "${BACKEND_ARGS:-}" ]; then
		# shellcheck disable=SC2086 # the options are split on purpose
		"$here/host/vgb-host" --socket-path="$sock" $BACKEND_ARGS >"$dir/backend.log" 2>&1 &
		backend=$!
		for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
	fi
	log "vm $name: ${args[*]}"
	# QEMU stops (and waits) on a KVM internal error: the timeout ends such a run.
	timeout "$vm_timeout" "$here/qemu/run-qemu" -accel "$accel" -cpu "$cpu_model" -smp 4 -m 2G \
		-object memory-backend-memfd,id=mem,size=2G,share=on -machine q35,memory-backend=mem \
		-nodefaults -no-user-config -display none -vga none -no-reboot \
		-kernel "$kernel" -initrd "$here/guest/initrd.img" \
		-append "console=ttyS0 loglevel=4 vgb.runs=$runs vgb.frames=$frames" \
		-serial "file:$dir/console.log" -serial "file:$dir/results.log" \
		"${args[@]}" >"$dir/qemu.log" 2>&1
	echo "qemu exit $?" >>"$dir/qemu.log"
	if [ -n "$backend" ]; then
		kill "$backend" 2>/dev/null
		wait "$backend" 2>/dev/null
	fi
	rm -f "$sock"
	log "vm $name: $(grep -c '^VGB-UPLOAD' "$dir/results.log" 2>/dev/null || echo 0) result lines"
}

# shellcheck disable=SC2054 # QEMU's option values contain commas
test_device=(-chardev "socket,id=vu0,path={socket}" \
	-device vhost-user-test-device-pci,chardev=vu0,virtio-id=16,num_vqs=2,config_size=16)
for c in $configs; do
	case $c in
	vgb-host)
		BACKEND_ARGS="--size=3840x2160" run_vm "$c" "${test_device[@]}" ;;
	vgb-host-bar-above-4g)
		# A region larger than the 32-bit PCI window: the firmware must place the BAR above 4 GiB.
		BACKEND_ARGS="--size=3840x2160 --region-size=${BIG_REGION:-4G}" run_vm "$c" "${test_device[@]}" ;;
	qemu-virtio-gpu)
		BACKEND_ARGS="" run_vm "$c" -device virtio-gpu-pci,xres=3840,yres=2160 ;;
	qemu-virtio-gpu-blob)
		BACKEND_ARGS="" run_vm "$c" -device virtio-gpu-pci,xres=3840,yres=2160,blob=true ;;
	*) log "unknown configuration $c" ;;
	esac
done
log "done"
