#!/bin/busybox sh
# shellcheck shell=dash
# /init of the upload-benchmark guest: load the virtio-gpu modules, run the
# benchmark with the options from the kernel command line, power off.
# Results go to the second serial port (ttyS1), kernel messages to ttyS0.
/bin/busybox --install -s /bin
export PATH=/bin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
for m in $(cat /modules/order); do
	insmod "/modules/$m" || echo "VGB-INIT insmod $m failed"
done
i=0
while [ ! -e /dev/dri/card0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
args=""
for w in $(cat /proc/cmdline); do
	case $w in
	vgb.runs=*) args="$args --runs ${w#vgb.runs=}" ;;
	vgb.frames=*) args="$args --frames ${w#vgb.frames=}" ;;
	esac
done
out=/dev/ttyS1
[ -e $out ] || out=/dev/console
stty -F $out raw -echo 2>/dev/null
echo "VGB-INIT $(uname -r) cpus $(grep -c ^processor /proc/cpuinfo) $(grep -m1 'model name' /proc/cpuinfo)" >$out
# The MTRRs and PAT view of the host-visible window, for the memory type the mapping gets.
head -n 40 /sys/kernel/debug/x86/pat_memtype_list 2>/dev/null | sed 's/^/VGB-PAT /' >$out
cat /proc/mtrr 2>/dev/null | sed 's/^/VGB-MTRR /' >$out
# $args is split on purpose: it holds several options.
# shellcheck disable=SC2086
/upload --out "$out" $args
echo "VGB-INIT upload exit $?" >$out
sync
poweroff -f
