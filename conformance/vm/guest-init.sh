#!/bin/busybox sh
# shellcheck shell=dash
# /init of the test guest: load the virtio-gpu modules, run the agent, power off.
# Agent results go to the second serial port (ttyS1) so kernel messages on the
# console (ttyS0) can never split a result line.
/bin/busybox --install -s /bin
export PATH=/bin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
echo "VGB-INIT kernel $(uname -r)"
for m in $(cat /modules/order); do
	insmod "/modules/$m" || echo "VGB-INIT insmod $m failed"
done
i=0
while [ ! -e /dev/dri/card0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -e /dev/dri/card0 ] || echo "VGB-INIT no /dev/dri/card0 after 10 s"

# Options come from the kernel command line: vgb.cases=GLOB vgb.case_timeout=S
# vgb.expect_scanout=S; vgb.agent=0 skips the agent; vgb.vk=USR_TAG,AGENT_TAG runs
# the Vulkan agent inside the userland mounted from 9p tag USR_TAG (a /usr)
# from the binary on 9p tag AGENT_TAG.
args=""
run_agent=1
vk=""
for w in $(cat /proc/cmdline); do
	case $w in
	vgb.cases=*) args="$args --cases ${w#vgb.cases=}" ;;
	vgb.case_timeout=*) args="$args --case-timeout ${w#vgb.case_timeout=}" ;;
	vgb.expect_scanout=*) args="$args --scanout-wait ${w#vgb.expect_scanout=}" ;;
	vgb.agent=0) run_agent=0 ;;
	vgb.vk=*) vk=${w#vgb.vk=} ;;
	esac
done
out=/dev/ttyS1
[ -e $out ] || out=/dev/console
stty -F $out raw -echo 2>/dev/null
if [ $run_agent = 1 ]; then
	echo "VGB-INIT agent start"
	# $args is split on purpose: it holds several options.
	# shellcheck disable=SC2086
	/agent --out "$out" $args
	echo "VGB-INIT agent exit $?"
fi

# The Vulkan agent runs in a chroot made of the host's /usr (read-only 9p),
# merged-/usr links, and this guest's /dev, /proc and /sys.
vk_agent() {
	usr_tag=${vk%,*}
	agent_tag=${vk#*,}
	for m in $(cat /modules/order-9p); do
		insmod "/modules/$m" || echo "VGB-INIT insmod $m failed"
	done
	r=/vk
	mkdir -p $r/usr $r/dev $r/proc $r/sys $r/tmp $r/agent $r/etc
	for l in lib lib64 bin sbin; do ln -s usr/$l $r/$l; done
	p9="trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose"
	mount -t 9p -o $p9 "$usr_tag" $r/usr || { echo "VGB-INIT cannot mount 9p $usr_tag"; return 1; }
	mount -t 9p -o $p9 "$agent_tag" $r/agent || { echo "VGB-INIT cannot mount 9p $agent_tag"; return 1; }
	mount -o rbind /dev $r/dev
	mount -o rbind /sys $r/sys
	mount -t proc proc $r/proc
	icd=""
	for f in $r/usr/share/vulkan/icd.d/virtio_icd*.json; do
		[ -e "$f" ] && icd=$f && break
	done
	[ -n "$icd" ] || echo "VGB-INIT no Venus ICD (virtio_icd*.json) in the mounted userland"
	echo "VGB-INIT vk agent start (ICD ${icd#"$r"})"
	# Only the Venus ICD: others (lavapipe) would load LLVM over 9p for nothing.
	# shellcheck disable=SC2086
	chroot $r /usr/bin/env -i PATH=/usr/bin:/usr/sbin HOME=/tmp XDG_RUNTIME_DIR=/tmp \
		VK_DRIVER_FILES="${icd#"$r"}" MESA_SHADER_CACHE_DISABLE=true \
		/agent/vgb-vk-agent --out "$out" $args
	echo "VGB-INIT vk agent exit $?"
}
[ -n "$vk" ] && vk_agent
dmesg | grep -iE 'virtio|drm|\[drm' | tail -n 40
sync
poweroff -f
