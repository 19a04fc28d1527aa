import Foundation
import Hummingbird
import Protocol

/// The HTTP routes: `/healthz`, `/metrics`, `/openapi.yaml`, the JSON API under `/api/v1` and
/// the web pages under `/web` (docs/openapi.yaml has every route; a test keeps the two equal).
public enum ServerRoutes {
    /// A router with every route. The uplink adds its WebSocket route to the same router.
    public static func router(_ services: ServerServices) -> Router<ServerRequestContext> {
        let router = Router(context: ServerRequestContext.self)
        router.add(middleware: TransportMiddleware(trustedProxies: services.trustedProxies, hsts: services.servedOverTLS))
        router.add(middleware: APIMiddleware(metrics: services.metrics))
        router.add(middleware: MethodNotAllowedMiddleware(routes: services.routeMethods))
        let handlers = Handlers(services: services)

        router.get("/healthz", use: handlers.health)
        router.get("/metrics", use: handlers.metrics)
        router.get("/openapi.yaml", use: handlers.openAPI)

        let api = router.group("/api/v1")
        api.post("/enroll", use: handlers.enroll)

        api.get("/users", use: handlers.listUsers)
        api.post("/users", use: handlers.createUser)
        api.get("/users/:id", use: handlers.getUser)
        api.post("/users/:id/disable", use: handlers.disableUser)
        api.post("/users/:id/enable", use: handlers.enableUser)
        api.put("/users/:id/pin", use: handlers.setPIN)
        api.get("/users/:id/cards", use: handlers.listCards)
        api.post("/users/:id/cards", use: handlers.addCard)
        api.delete("/users/:id/cards/:number", use: handlers.removeCard)
        api.get("/users/:id/quota", use: handlers.getQuota)
        api.put("/users/:id/quota", use: handlers.setQuota)
        api.post("/users/:id/payments", use: handlers.addPayment)
        api.post("/users/:id/adjustments", use: handlers.addAdjustment)
        api.get("/users/:id/ledger", use: handlers.listLedger)
        api.post("/payments/webhook", use: handlers.paymentWebhook)

        api.get("/devices", use: handlers.listDevices)
        api.get("/devices/:id", use: handlers.getDevice)
        api.post("/enrollment-tokens", use: handlers.createEnrollmentToken)

        api.get("/jobs", use: handlers.listJobs)
        api.get("/charges", use: handlers.listCharges)
        api.get("/prices", use: handlers.listPrices)
        api.post("/prices", use: handlers.setPrice)

        api.post("/seal-applications", use: handlers.applyForSeal)
        api.get("/seal-applications", use: handlers.listSealApplications)
        api.get("/seal-applications/:id", use: handlers.getSealApplication)
        api.post("/seal-applications/:id/approve", use: handlers.approveSealApplication)
        api.post("/seal-applications/:id/forward", use: handlers.forwardSealApplication)
        api.post("/seal-applications/:id/reject", use: handlers.rejectSealApplication)
        api.post("/seal-applications/:id/revoke", use: handlers.revokeSealApplication)
        api.get("/seal-records", use: handlers.listSealRecords)
        api.get("/seal-records/report", use: handlers.sealReport)
        api.get("/notifications", use: handlers.listNotifications)
        api.post("/notifications/:id/read", use: handlers.markNotificationRead)
        api.get("/bills", use: handlers.listBills)
        api.post("/bills", use: handlers.issueBill)
        api.get("/bills/:id", use: handlers.getBill)

        api.post("/split-jobs", use: handlers.createSplitJob)
        api.get("/split-jobs", use: handlers.listSplitJobs)
        api.get("/split-jobs/:id", use: handlers.getSplitJob)
        api.post("/split-jobs/:id/payers/:payer/authenticate", use: handlers.authenticateSplitPayer)
        api.post("/split-jobs/:id/payers/:payer/approve", use: handlers.approveSplitShare)
        api.post("/split-jobs/:id/payers/:payer/reject", use: handlers.rejectSplitShare)
        api.post("/split-jobs/:id/payers/:payer/re-request", use: handlers.reRequestSplitPayer)

        api.post("/firmware/images", use: handlers.uploadFirmwareImage)
        api.get("/firmware/images", use: handlers.listFirmwareImages)
        api.post("/firmware/rollouts", use: handlers.startFirmwareRollout)
        api.get("/firmware/rollouts", use: handlers.listFirmwareRollouts)
        api.get("/firmware/rollouts/:id", use: handlers.getFirmwareRollout)

        api.get("/audit", use: handlers.listAudit)
        api.get("/audit/verify", use: handlers.verifyAudit)
        api.get("/audit/head", use: handlers.latestAuditHead)

        // The web pages (issue 7, docs/web.md), on the same services.
        do {
            try WebApp(services: services, policy: services.webSessions, blobs: services.blobs).install(on: router)
        } catch {
            // Only a broken build gets here (WebTemplateTests render every template); say so on every page.
            services.logger.critical("the web pages cannot start: \(error)")
            let message = "The web pages cannot start: \(error)"
            router.get("/web/**") { _, _ in Response(status: .internalServerError, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: message))) }
        }
        return router
    }
}
