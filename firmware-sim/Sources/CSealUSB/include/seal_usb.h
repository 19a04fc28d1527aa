// The usbdevfs side of the simulated seal: the umockdev ioctl handler that turns libusb's
// URB traffic on the seal's /dev/bus/usb node into byte streams. Bulk OUT transfers go to a
// callback (the seal's firmware, in Swift); bytes the firmware sends are handed to bulk IN
// URBs as libusb submits them. In C because the handler resolves `struct usbdevfs_urb`
// and its buffer through umockdev's data API; it holds no seal logic.
#pragma once
#include <stddef.h>
#include <stdint.h>

typedef struct seal_usb_device seal_usb_device;

/// Called on umockdev's worker thread with the bytes of one bulk OUT transfer, no lock held,
/// so the callback may call `seal_usb_device_send`. `bytes` NULL and `count` 0: the host reset
/// the device (USBDEVFS_RESET).
typedef void (*seal_usb_out_callback)(void *context, const uint8_t *bytes, size_t count);

/// A handler for the node `devnode` (e.g. "/dev/bus/usb/001/002") on `testbed` (a
/// UMockdevTestbed *); attached to it at once, before the device is added. NULL with
/// `error` (malloc'd, caller frees) filled when umockdev refuses to attach.
seal_usb_device *seal_usb_device_attach(void *testbed, const char *devnode, uint8_t out_endpoint,
                                        uint8_t in_endpoint, seal_usb_out_callback callback,
                                        void *context, char **error);

/// Queues bytes for the bulk IN endpoint; a pending IN URB gets them at once.
void seal_usb_device_send(seal_usb_device *device, const uint8_t *bytes, size_t count);

/// Unplugged: every ioctl fails with ENODEV (libusb's LIBUSB_ERROR_NO_DEVICE), URBs in flight
/// are dropped and queued IN bytes forgotten. Plugged again: a fresh device.
void seal_usb_device_set_present(seal_usb_device *device, int present);

/// Counters for the simulator's status and benchmarks.
typedef struct {
    uint64_t out_transfers;
    uint64_t in_transfers;
    uint64_t discarded;
} seal_usb_counters;
seal_usb_counters seal_usb_device_counters(seal_usb_device *device);

/// Detaches the handler from the testbed and frees the device.
void seal_usb_device_free(seal_usb_device *device, void *testbed);
