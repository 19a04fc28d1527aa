// usbdevfs for the simulated seal, over umockdev's ioctl handler API. See seal_usb.h.
// The handler runs on umockdev's worker thread; `lock` guards everything below it in the struct.
#include "seal_usb.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/usbdevice_fs.h>
#include <umockdev.h>

// A URB belongs to the connection (one open of the device node) that submitted it: only that
// connection may reap it. The queues are the device's, so without the owner a URB left by a
// client that died (an agent killed with an IN URB pending) was filled and handed to the next
// client's REAPURB: umockdev's IoctlData keeps the stream of the connection that resolved it,
// so completing that REAPURB wrote the URB into the dead connection, and the live client's
// preload failed ("libumockdev-preload: Error communicating with ioctl socket, received EOF")
// and aborted its process.
typedef struct {
    UMockdevIoctlData *urb;       // the client's struct usbdevfs_urb, resolved at submit
    UMockdevIoctlData *buffer;    // its data buffer, a child of `urb`
    UMockdevIoctlClient *client;  // the connection that submitted it (a reference)
} flying_urb;

struct seal_usb_device {
    UMockdevIoctlBase *handler;
    char *devnode;
    uint8_t out_endpoint;
    uint8_t in_endpoint;
    seal_usb_out_callback callback;
    void *context;

    pthread_mutex_t lock;
    int present;
    GQueue pending_in;   // flying_urb *: IN URBs waiting for bytes
    GQueue done;         // flying_urb *: finished URBs waiting to be reaped
    GByteArray *in_bytes;
    seal_usb_counters counters;
};

static void flying_urb_free(flying_urb *f) {
    if (f == NULL) return;
    umockdev_ioctl_data_unref(f->urb);
    umockdev_ioctl_data_unref(f->buffer);
    g_object_unref(f->client);
    free(f);
}

static void drop_queue(GQueue *queue) {
    flying_urb *f;
    while ((f = g_queue_pop_head(queue)) != NULL) flying_urb_free(f);
}

// Frees every URB of `client` in `queue`. Lock held.
static void drop_client_urbs(GQueue *queue, UMockdevIoctlClient *client) {
    for (GList *link = queue->head; link != NULL;) {
        GList *next = link->next;
        flying_urb *f = link->data;
        if (f->client == client) {
            g_queue_delete_link(queue, link);
            flying_urb_free(f);
        }
        link = next;
    }
}

// Hands queued IN bytes to pending IN URBs, oldest first; a URB whose client is gone is dropped
// (its bytes would be lost with it). Lock held.
static void fill_pending_in(seal_usb_device *device) {
    while (device->in_bytes->len > 0 && !g_queue_is_empty(&device->pending_in)) {
        flying_urb *f = g_queue_pop_head(&device->pending_in);
        if (!umockdev_ioctl_client_get_connected(f->client)) {
            flying_urb_free(f);
            continue;
        }
        struct usbdevfs_urb *urb = (struct usbdevfs_urb *)f->urb->data;
        size_t n = device->in_bytes->len;
        if ((size_t)urb->buffer_length < n) n = (size_t)urb->buffer_length;
        memcpy(f->buffer->data, device->in_bytes->data, n);
        g_byte_array_remove_range(device->in_bytes, 0, (guint)n);
        urb->actual_length = (int)n;
        urb->status = 0;
        device->counters.in_transfers += 1;
        g_queue_push_tail(&device->done, f);
    }
}

typedef struct {
    UMockdevIoctlClient *client;
    gulong address;  // the URB's address in the client, or 0 for any URB of the client
} urb_owner;

static gint owned_by(gconstpointer element, gconstpointer owner) {
    const flying_urb *f = element;
    const urb_owner *o = owner;
    return f->client == o->client && (o->address == 0 || f->urb->client_addr == o->address) ? 0 : 1;
}

static gboolean submit_urb(seal_usb_device *device, UMockdevIoctlClient *client, UMockdevIoctlData *arg) {
    UMockdevIoctlData *urb_data = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), NULL);
    if (urb_data == NULL) {
        umockdev_ioctl_client_complete(client, -1, EFAULT);
        return TRUE;
    }
    struct usbdevfs_urb *urb = (struct usbdevfs_urb *)urb_data->data;
    if (urb->type != USBDEVFS_URB_TYPE_BULK || urb->buffer_length < 0 ||
        (urb->endpoint != device->out_endpoint && urb->endpoint != device->in_endpoint)) {
        umockdev_ioctl_data_unref(urb_data);
        umockdev_ioctl_client_complete(client, -1, EINVAL);
        return TRUE;
    }
    UMockdevIoctlData *buffer = umockdev_ioctl_data_resolve(urb_data, G_STRUCT_OFFSET(struct usbdevfs_urb, buffer),
                                                            (gsize)urb->buffer_length, NULL);
    if (buffer == NULL) {
        umockdev_ioctl_data_unref(urb_data);
        umockdev_ioctl_client_complete(client, -1, EFAULT);
        return TRUE;
    }
    flying_urb *f = calloc(1, sizeof *f);
    f->urb = urb_data;
    f->buffer = buffer;
    f->client = g_object_ref(client);

    uint8_t *out_copy = NULL;
    size_t out_count = 0;
    pthread_mutex_lock(&device->lock);
    if (urb->endpoint == device->out_endpoint) {
        out_count = (size_t)urb->buffer_length;
        out_copy = g_memdup2(buffer->data, out_count);
        urb->actual_length = urb->buffer_length;
        urb->status = 0;
        device->counters.out_transfers += 1;
        g_queue_push_tail(&device->done, f);
    } else {
        g_queue_push_tail(&device->pending_in, f);
        fill_pending_in(device);
    }
    pthread_mutex_unlock(&device->lock);

    umockdev_ioctl_client_complete(client, 0, 0);
    if (out_copy != NULL) {
        device->callback(device->context, out_copy, out_count);
        g_free(out_copy);
    }
    return TRUE;
}

static gboolean reap_urb(seal_usb_device *device, UMockdevIoctlClient *client, UMockdevIoctlData *arg) {
    urb_owner owner = {client, 0};
    pthread_mutex_lock(&device->lock);
    GList *link = g_queue_find_custom(&device->done, &owner, owned_by);
    flying_urb *f = link != NULL ? link->data : NULL;
    if (link != NULL) g_queue_delete_link(&device->done, link);
    pthread_mutex_unlock(&device->lock);
    if (f == NULL) {
        umockdev_ioctl_client_complete(client, -1, EAGAIN);
        return TRUE;
    }
    UMockdevIoctlData *slot = umockdev_ioctl_data_resolve(arg, 0, sizeof(gpointer), NULL);
    if (slot == NULL) {
        flying_urb_free(f);
        umockdev_ioctl_client_complete(client, -1, EFAULT);
        return TRUE;
    }
    umockdev_ioctl_data_set_ptr(slot, 0, f->urb);
    umockdev_ioctl_client_complete(client, 0, 0);
    umockdev_ioctl_data_unref(slot);
    flying_urb_free(f);
    return TRUE;
}

// libusb's timeout path: the URB is finished with -ENOENT and reaped like any other.
static gboolean discard_urb(seal_usb_device *device, UMockdevIoctlClient *client, UMockdevIoctlData *arg) {
    urb_owner owner = {client, (gulong) * (void **)arg->data};
    pthread_mutex_lock(&device->lock);
    GList *link = g_queue_find_custom(&device->pending_in, &owner, owned_by);
    if (link != NULL) {
        flying_urb *f = link->data;
        g_queue_delete_link(&device->pending_in, link);
        struct usbdevfs_urb *urb = (struct usbdevfs_urb *)f->urb->data;
        urb->status = -ENOENT;
        urb->actual_length = 0;
        device->counters.discarded += 1;
        g_queue_push_tail(&device->done, f);
    }
    pthread_mutex_unlock(&device->lock);
    umockdev_ioctl_client_complete(client, link != NULL ? 0 : -1, link != NULL ? 0 : EINVAL);
    return TRUE;
}

static gboolean handle_ioctl(UMockdevIoctlBase *handler, UMockdevIoctlClient *client, gpointer user_data) {
    (void)handler;
    seal_usb_device *device = user_data;
    gulong request = umockdev_ioctl_client_get_request(client);
    UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);

    pthread_mutex_lock(&device->lock);
    int present = device->present;
    pthread_mutex_unlock(&device->lock);
    if (!present) {
        umockdev_ioctl_client_complete(client, -1, ENODEV);
        return TRUE;
    }

    switch (request) {
    case USBDEVFS_GET_CAPABILITIES: {
        UMockdevIoctlData *caps = umockdev_ioctl_data_resolve(arg, 0, sizeof(guint32), NULL);
        if (caps == NULL) {
            umockdev_ioctl_client_complete(client, -1, EFAULT);
            return TRUE;
        }
        *(guint32 *)caps->data = USBDEVFS_CAP_BULK_CONTINUATION | USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
                                 USBDEVFS_CAP_REAP_AFTER_DISCONNECT | USBDEVFS_CAP_ZERO_PACKET;
        umockdev_ioctl_client_complete(client, 0, 0);
        umockdev_ioctl_data_unref(caps);
        return TRUE;
    }
    case USBDEVFS_RESET:
        // A USB reset always locks the seal (docs/seal-usb.md): tell the firmware.
        pthread_mutex_lock(&device->lock);
        drop_queue(&device->pending_in);
        g_byte_array_set_size(device->in_bytes, 0);
        pthread_mutex_unlock(&device->lock);
        umockdev_ioctl_client_complete(client, 0, 0);
        device->callback(device->context, NULL, 0);
        return TRUE;
    case USBDEVFS_CLAIMINTERFACE:
    case USBDEVFS_RELEASEINTERFACE:
    case USBDEVFS_SETINTERFACE:
    case USBDEVFS_SETCONFIGURATION:
    case USBDEVFS_CLEAR_HALT:
    case USBDEVFS_RESETEP:
        umockdev_ioctl_client_complete(client, 0, 0);
        return TRUE;
    case USBDEVFS_GETDRIVER:
        umockdev_ioctl_client_complete(client, -1, ENODATA);
        return TRUE;
    case USBDEVFS_SUBMITURB:
        return submit_urb(device, client, arg);
    case USBDEVFS_REAPURB:
    case USBDEVFS_REAPURBNDELAY:
        return reap_urb(device, client, arg);
    case USBDEVFS_DISCARDURB:
        return discard_urb(device, client, arg);
    default:
        umockdev_ioctl_client_complete(client, -1, ENOTTY);
        return TRUE;
    }
}

// A connection closed (its process exited or was killed, or it closed the node): its URBs go,
// and no later client is handed them.
static void client_vanished(UMockdevIoctlBase *handler, UMockdevIoctlClient *client, gpointer user_data) {
    (void)handler;
    seal_usb_device *device = user_data;
    pthread_mutex_lock(&device->lock);
    drop_client_urbs(&device->pending_in, client);
    drop_client_urbs(&device->done, client);
    pthread_mutex_unlock(&device->lock);
}

seal_usb_device *seal_usb_device_attach(void *testbed, const char *devnode, uint8_t out_endpoint,
                                        uint8_t in_endpoint, seal_usb_out_callback callback,
                                        void *context, char **error) {
    seal_usb_device *device = calloc(1, sizeof *device);
    device->devnode = strdup(devnode);
    device->out_endpoint = out_endpoint;
    device->in_endpoint = in_endpoint;
    device->callback = callback;
    device->context = context;
    device->present = 1;
    pthread_mutex_init(&device->lock, NULL);
    g_queue_init(&device->pending_in);
    g_queue_init(&device->done);
    device->in_bytes = g_byte_array_new();
    device->handler = umockdev_ioctl_base_new();
    g_signal_connect_after(device->handler, "handle-ioctl", G_CALLBACK(handle_ioctl), device);
    g_signal_connect(device->handler, "client-vanished", G_CALLBACK(client_vanished), device);

    GError *gerror = NULL;
    if (!umockdev_testbed_attach_ioctl((UMockdevTestbed *)testbed, devnode, device->handler, &gerror)) {
        if (error != NULL) *error = strdup(gerror != NULL ? gerror->message : "umockdev refused to attach the handler");
        g_clear_error(&gerror);
        g_object_unref(device->handler);
        device->handler = NULL;
        seal_usb_device_free(device, NULL);
        return NULL;
    }
    return device;
}

void seal_usb_device_send(seal_usb_device *device, const uint8_t *bytes, size_t count) {
    pthread_mutex_lock(&device->lock);
    if (device->present) {
        g_byte_array_append(device->in_bytes, bytes, (guint)count);
        fill_pending_in(device);
    }
    pthread_mutex_unlock(&device->lock);
}

void seal_usb_device_set_present(seal_usb_device *device, int present) {
    pthread_mutex_lock(&device->lock);
    device->present = present;
    drop_queue(&device->pending_in);
    drop_queue(&device->done);
    g_byte_array_set_size(device->in_bytes, 0);
    pthread_mutex_unlock(&device->lock);
}

seal_usb_counters seal_usb_device_counters(seal_usb_device *device) {
    pthread_mutex_lock(&device->lock);
    seal_usb_counters counters = device->counters;
    pthread_mutex_unlock(&device->lock);
    return counters;
}

void seal_usb_device_free(seal_usb_device *device, void *testbed) {
    if (device == NULL) return;
    if (device->handler != NULL) {
        if (testbed != NULL) umockdev_testbed_detach_ioctl((UMockdevTestbed *)testbed, device->devnode, NULL);
        g_signal_handlers_disconnect_by_data(device->handler, device);
        g_object_unref(device->handler);
    }
    drop_queue(&device->pending_in);
    drop_queue(&device->done);
    g_byte_array_free(device->in_bytes, TRUE);
    pthread_mutex_destroy(&device->lock);
    free(device->devnode);
    free(device);
}
