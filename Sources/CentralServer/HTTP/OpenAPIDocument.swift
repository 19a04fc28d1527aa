/// The OpenAPI 3 description of the HTTP API, served at `/openapi.yaml` and kept in
/// docs/openapi.yaml. `OpenAPITests` checks that every route the router has is documented here
/// and every path and method documented here is a route, and that the copy in docs/ is equal.
public enum OpenAPIDocument {
    public static let yaml = #"""
openapi: 3.0.3
info:
  title: Imprimatur central server
  version: 0.1.0
  description: |
    Users, cards, devices, prices, quotas, jobs, charges and the audit log of an Imprimatur
    server. Every /api/v1 route except /api/v1/enroll needs an API token
    (`imprimatur-server token create`) sent as `Authorization: Bearer <token>`. Writes need the
    administrator role; lists need administrator or auditor. Errors are JSON
    `{"error": "...", "field": "..."}`: 400 bad input (field names the culprit), 401 no or bad
    token, 403 missing role, 404 unknown, 405 method not routed on the path (with `Allow`),
    409 conflict, 413 body over 64 KiB.
servers:
  - url: http://127.0.0.1:8080
security:
  - bearer: []
paths:
  /healthz:
    get:
      x-roles: [anonymous]
      summary: Liveness and store health
      security: []
      responses:
        "200":
          description: Healthy
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Health" }
        "503":
          description: The store does not answer
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Health" }
  /metrics:
    get:
      x-roles: [anonymous]
      summary: Prometheus metrics (text exposition format)
      security: []
      responses:
        "200":
          description: imprimatur_http_requests_total, imprimatur_grants_issued_total, imprimatur_grants_refused_total, imprimatur_connected_agents, imprimatur_events_ingested_total
          content:
            text/plain: {}
  /openapi.yaml:
    get:
      x-roles: [anonymous]
      summary: This document
      security: []
      responses:
        "200":
          description: OpenAPI 3 YAML
          content:
            application/yaml: {}
  /api/v1/enroll:
    post:
      x-roles: [anonymous]
      summary: Enrol a device with a one-time token
      description: The token authenticates the request; no API token is needed. A used, expired or unknown token is refused with 403; a device id already enrolled, or a resource id (a copier's or seal's) another device already has, with 409 (resource ids are unique on the server; the token stays unused).
      security: []
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: "#/components/schemas/EnrollmentRequest" }
      responses:
        "201":
          description: Enrolled
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Enrollment" }
        "400": { $ref: "#/components/responses/BadRequest" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "409": { $ref: "#/components/responses/Conflict" }
  /api/v1/enrollment-tokens:
    post:
      x-roles: [administrator]
      summary: Create a one-time device enrolment token (administrator)
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              required: [name]
              properties:
                name: { type: string, minLength: 1, description: The name the device will get }
                expires: { type: string, example: 24h, pattern: "^(([6-9][0-9]|[1-9][0-9]{2,5}|1[0-9]{6}|2[0-4][0-9]{5}|25[0-8][0-9]{4}|259[01][0-9]{3}|2592000)s|([1-9]|[1-9][0-9]{1,3}|[1-3][0-9]{4}|4[0-2][0-9]{3}|43200)m|([1-9]|[1-9][0-9]|[1-6][0-9]{2}|7[01][0-9]|720)h|([1-9]|[12][0-9]|30)d)$", description: "Lifetime: a number and s, m, h or d (1 minute to 30 days); default 24h" }
      responses:
        "201":
          description: The token, shown once; only its hash is stored
          content:
            application/json:
              schema:
                type: object
                properties:
                  token: { type: string }
                  name: { type: string }
                  expires: { type: string, format: date-time }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
  /api/v1/users:
    get:
      x-roles: [administrator, auditor]
      summary: List users (administrator, auditor)
      responses:
        "200":
          description: Users
          content:
            application/json:
              schema: { $ref: "#/components/schemas/UserList" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
    post:
      x-roles: [administrator]
      summary: Create a user (administrator)
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: "#/components/schemas/NewUser" }
      responses:
        "201":
          description: Created
          content:
            application/json:
              schema: { $ref: "#/components/schemas/User" }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "409": { $ref: "#/components/responses/Conflict" }
  /api/v1/users/{id}:
    parameters:
      - $ref: "#/components/parameters/UserID"
    get:
      x-roles: [administrator, auditor, owner]
      summary: One user (administrator, auditor, or the user)
      responses:
        "200":
          description: The user
          content:
            application/json:
              schema: { $ref: "#/components/schemas/User" }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "404": { $ref: "#/components/responses/NotFound" }
  /api/v1/users/{id}/disable:
    parameters:
      - $ref: "#/components/parameters/UserID"
    post:
      x-roles: [administrator]
      summary: Disable a user (administrator); their grant requests are refused userDisabled
      responses:
        "200":
          description: The user
          content:
            application/json:
              schema: { $ref: "#/components/schemas/User" }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "404": { $ref: "#/components/responses/NotFound" }
  /api/v1/users/{id}/enable:
    parameters:
      - $ref: "#/components/parameters/UserID"
    post:
      x-roles: [administrator]
      summary: Enable a user again (administrator)
      responses:
        "200":
          description: The user
          content:
            application/json:
              schema: { $ref: "#/components/schemas/User" }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "404": { $ref: "#/components/responses/NotFound" }
  /api/v1/users/{id}/pin:
    parameters:
      - $ref: "#/components/parameters/UserID"
    put:
      x-roles: [administrator]
      summary: Set a user's PIN (administrator)
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              required: [pin]
              properties:
                pin: { type: string, pattern: "^[0-9]{4,16}$" }
      responses:
        "200":
          description: The user
          content:
            application/json:
              schema: { $ref: "#/components/schemas/User" }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "404": { $ref: "#/components/responses/NotFound" }
  /api/v1/users/{id}/cards:
    parameters:
      - $ref: "#/components/parameters/UserID"
    get:
      x-roles: [administrator, auditor, owner]
      summary: A user's card numbers (administrator, auditor, or the user)
      responses:
        "200":
          description: Card numbers
          content:
            application/json:
              schema: { $ref: "#/components/schemas/StringList" }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "404": { $ref: "#/components/responses/NotFound" }
    post:
      x-roles: [administrator]
      summary: Give a user a card (administrator)
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              required: [number]
              properties:
                number: { type: string, pattern: "^[!-~]{1,64}$", description: "1-64 printable ASCII characters" }
      responses:
        "201":
          description: The user
          content:
            application/json:
              schema: { $ref: "#/components/schemas/User" }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "404": { $ref: "#/components/responses/NotFound" }
        "409": { $ref: "#/components/responses/Conflict" }
  /api/v1/users/{id}/cards/{number}:
    parameters:
      - $ref: "#/components/parameters/UserID"
      - name: number
        in: path
        required: true
        description: The card number, percent-encoded
        schema: { type: string, pattern: "^[!-~]{1,64}$" }
    delete:
      x-roles: [administrator]
      summary: Take a card from a user (administrator)
      responses:
        "200":
          description: The user
          content:
            application/json:
              schema: { $ref: "#/components/schemas/User" }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "404": { $ref: "#/components/responses/NotFound" }
  /api/v1/users/{id}/quota:
    parameters:
      - $ref: "#/components/parameters/UserID"
    get:
      x-roles: [administrator, auditor, owner]
      summary: A user's quota and its state this period (administrator, auditor, or the user)
      responses:
        "200":
          description: Quota
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Quota" }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "404": { $ref: "#/components/responses/NotFound" }
    put:
      x-roles: [administrator]
      summary: Set a user's quota (administrator)
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              required: [limit, unit]
              # A money quota names its currency; a page quota needs none.
              anyOf:
                - { properties: { unit: { enum: [pages] } } }
                - { required: [currency] }
              properties:
                limit: { type: integer, minimum: 0, description: "First upper limit per period, in pages or minor units" }
                unit: { type: string, enum: [pages, money] }
                currency: { type: string, pattern: "^[A-Z]{3}$", example: EUR, description: Needed for money }
                adjustment: { type: integer, minimum: 0, default: 0 }
                period: { type: string, enum: [daily, weekly, monthly, yearly], default: monthly }
      responses:
        "200":
          description: Quota
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Quota" }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "404": { $ref: "#/components/responses/NotFound" }
  /api/v1/devices:
    get:
      x-roles: [administrator, auditor]
      summary: Enrolled devices (administrator, auditor)
      responses:
        "200":
          description: Devices
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: { type: array, items: { $ref: "#/components/schemas/Device" } }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
  /api/v1/devices/{id}:
    parameters:
      - name: id
        in: path
        required: true
        schema: { type: string, pattern: "^[A-Za-z0-9._:@-]{1,64}$" }
    get:
      x-roles: [administrator, auditor]
      summary: One device with its permission list (administrator, auditor)
      responses:
        "200":
          description: The device
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Device" }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "404": { $ref: "#/components/responses/NotFound" }
  /api/v1/jobs:
    get:
      x-roles: [administrator, auditor]
      summary: Copy jobs, newest first (administrator, auditor)
      parameters:
        - $ref: "#/components/parameters/Limit"
      responses:
        "200":
          description: Jobs
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: { type: array, items: { $ref: "#/components/schemas/Job" } }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
  /api/v1/charges:
    get:
      x-roles: [administrator, auditor]
      summary: Charges, newest first (administrator, auditor)
      parameters:
        - $ref: "#/components/parameters/Limit"
      responses:
        "200":
          description: Charges
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: { type: array, items: { $ref: "#/components/schemas/Charge" } }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
  /api/v1/prices:
    get:
      x-roles: [employee, approver, administrator, auditor]
      summary: The price table (any authenticated user)
      responses:
        "200":
          description: Prices
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: { type: array, items: { $ref: "#/components/schemas/Price" } }
        "401": { $ref: "#/components/responses/Unauthorized" }
    post:
      x-roles: [administrator]
      summary: Set the price of one paper size in colour or mono (administrator)
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              required: [paper, colour, price]
              properties:
                paper: { type: string, enum: [A4, A3, B4, B5, Letter, Legal] }
                colour: { type: boolean }
                price: { type: integer, minimum: 1, maximum: 4294967295, description: Minor units per page }
                currency: { type: string, pattern: "^[A-Z]{3}$", default: EUR }
      responses:
        "200":
          description: The price
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Price" }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
  /api/v1/seal-applications:
    post:
      x-roles: [employee]
      summary: Apply to use a seal (employee); waits on the first approver
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: "#/components/schemas/SealApplicationRequest" }
      responses:
        "201":
          description: Submitted
          content:
            application/json:
              schema: { $ref: "#/components/schemas/SealApplication" }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "404": { $ref: "#/components/responses/NotFound" }
    get:
      x-roles: [employee, approver, administrator, auditor]
      summary: Seal applications the caller is involved in, applied for, or that wait on them; all for an auditor or administrator
      parameters:
        - $ref: "#/components/parameters/Limit"
        - name: view
          in: query
          schema: { type: string, enum: [involved, mine, waiting, all], default: involved }
      responses:
        "200":
          description: Applications, newest first
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: { type: array, items: { $ref: "#/components/schemas/SealApplication" } }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
  /api/v1/seal-applications/{id}:
    get:
      x-roles: [administrator, auditor, owner]
      summary: One application with its timeline and its uses (its applicant, approvers and CC; auditor; administrator)
      parameters:
        - $ref: "#/components/parameters/ApplicationID"
      responses:
        "200":
          description: The application, `timeline` and `records`
          content:
            application/json:
              schema: { $ref: "#/components/schemas/SealApplication" }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "404": { $ref: "#/components/responses/NotFound" }
  /api/v1/seal-applications/{id}/approve:
    post:
      x-roles: [owner]
      summary: Approve the level waiting on the caller; the last level approves the application
      parameters:
        - $ref: "#/components/parameters/ApplicationID"
      requestBody:
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              properties:
                note: { type: string, maxLength: 500 }
      responses:
        "200":
          description: The application after the step
          content:
            application/json:
              schema: { $ref: "#/components/schemas/SealApplication" }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "404": { $ref: "#/components/responses/NotFound" }
        "409": { $ref: "#/components/responses/Conflict" }
  /api/v1/seal-applications/{id}/forward:
    post:
      x-roles: [owner]
      summary: Hand the level waiting on the caller to another approver (recorded in the timeline)
      parameters:
        - $ref: "#/components/parameters/ApplicationID"
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [to]
              additionalProperties: false
              properties:
                to: { type: string }
                note: { type: string, maxLength: 500 }
      responses:
        "200":
          description: The application after the step
          content:
            application/json:
              schema: { $ref: "#/components/schemas/SealApplication" }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "404": { $ref: "#/components/responses/NotFound" }
        "409": { $ref: "#/components/responses/Conflict" }
  /api/v1/seal-applications/{id}/reject:
    post:
      x-roles: [owner]
      summary: Reject the application at the level waiting on the caller; it ends
      parameters:
        - $ref: "#/components/parameters/ApplicationID"
      requestBody:
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              properties:
                note: { type: string, maxLength: 500 }
      responses:
        "200":
          description: The application after the step
          content:
            application/json:
              schema: { $ref: "#/components/schemas/SealApplication" }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "404": { $ref: "#/components/responses/NotFound" }
        "409": { $ref: "#/components/responses/Conflict" }
  /api/v1/seal-applications/{id}/revoke:
    post:
      x-roles: [administrator, owner]
      summary: Revoke the remaining uses of an approved application (its approvers, administrator); agents hear at once
      parameters:
        - $ref: "#/components/parameters/ApplicationID"
      requestBody:
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              properties:
                note: { type: string, maxLength: 500 }
      responses:
        "200":
          description: The application after the step
          content:
            application/json:
              schema: { $ref: "#/components/schemas/SealApplication" }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "404": { $ref: "#/components/responses/NotFound" }
        "409": { $ref: "#/components/responses/Conflict" }
  /api/v1/split-jobs:
    post:
      x-roles: [employee]
      summary: Hold a print job whose charge is split among payers (employee); each payer is asked (inbox and webhook)
      description: |
        The body is the PDF itself. The split is a JSON object in the X-Imprimatur-Split header:
        title, device (the copier's device id), copies, colour, paper_size, paper_type (the job's
        defaults) and shares, one per payer: payer, and any of ratio (percent of a part shared
        with others), copies, pages ("N" or "N-M"), colour, paper_size, paper_type. The rules are
        in docs/split-charges.md. A body that is not a readable PDF is refused (400, field pdf).
      parameters:
        - { name: X-Imprimatur-Split, in: header, required: true, schema: { type: string } }
      requestBody:
        required: true
        content:
          application/pdf:
            schema: { type: string, format: binary, maxLength: 33554432 }
      responses:
        "201":
          description: The job, its parts and their payers, all requesting
          content:
            application/json:
              schema: { $ref: "#/components/schemas/SplitJob" }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "404": { $ref: "#/components/responses/NotFound" }
    get:
      x-roles: [employee, approver, administrator, auditor]
      summary: Split jobs the caller requested or pays (view=involved), or all (view=all, administrator or auditor), newest first
      parameters:
        - $ref: "#/components/parameters/Limit"
        - { name: view, in: query, schema: { type: string, enum: [involved, all] } }
      responses:
        "200":
          description: The jobs
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: { type: array, items: { $ref: "#/components/schemas/SplitJob" } }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
  /api/v1/split-jobs/{id}:
    get:
      x-roles: [administrator, auditor, owner]
      summary: One split job (its requester, payers, administrator, auditor)
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
      responses:
        "200":
          description: The job
          content:
            application/json:
              schema: { $ref: "#/components/schemas/SplitJob" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "404": { $ref: "#/components/responses/NotFound" }
  /api/v1/split-jobs/{id}/payers/{payer}/authenticate:
    post:
      x-roles: [owner]
      summary: The payer proves who they are (their API token and their PIN) before answering
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
        - { name: payer, in: path, required: true, schema: { type: string, pattern: "^[A-Za-z0-9._:@-]{1,64}$" } }
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              required: [pin]
              properties:
                pin: { type: string, minLength: 1 }
      responses:
        "200":
          description: The job after the step
          content:
            application/json:
              schema: { $ref: "#/components/schemas/SplitJob" }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "404": { $ref: "#/components/responses/NotFound" }
        "409": { $ref: "#/components/responses/Conflict" }
        "429":
          description: Too many wrong PINs (the payer's and the job's device's, the same count as at the devices); not compared. Retry-After says when to try again.
          headers:
            Retry-After: { schema: { type: integer }, description: Seconds until PIN entry opens again }
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Error" }
  /api/v1/split-jobs/{id}/payers/{payer}/approve:
    post:
      x-roles: [owner]
      summary: The authenticated payer approves their share; a part every payer approved is released and charged
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
        - { name: payer, in: path, required: true, schema: { type: string, pattern: "^[A-Za-z0-9._:@-]{1,64}$" } }
      responses:
        "200":
          description: The job after the step
          content:
            application/json:
              schema: { $ref: "#/components/schemas/SplitJob" }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "404": { $ref: "#/components/responses/NotFound" }
        "409": { $ref: "#/components/responses/Conflict" }
  /api/v1/split-jobs/{id}/payers/{payer}/reject:
    post:
      x-roles: [owner]
      summary: The authenticated payer rejects their share; the part is ended and its PDF deleted
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
        - { name: payer, in: path, required: true, schema: { type: string, pattern: "^[A-Za-z0-9._:@-]{1,64}$" } }
      responses:
        "200":
          description: The job after the step
          content:
            application/json:
              schema: { $ref: "#/components/schemas/SplitJob" }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "404": { $ref: "#/components/responses/NotFound" }
        "409": { $ref: "#/components/responses/Conflict" }
  /api/v1/split-jobs/{id}/payers/{payer}/re-request:
    post:
      x-roles: [owner]
      summary: The requester asks a payer who has not answered again (notice sent again; a login must be repeated)
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
        - { name: payer, in: path, required: true, schema: { type: string, pattern: "^[A-Za-z0-9._:@-]{1,64}$" } }
      responses:
        "200":
          description: The job after the step
          content:
            application/json:
              schema: { $ref: "#/components/schemas/SplitJob" }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "404": { $ref: "#/components/responses/NotFound" }
        "409": { $ref: "#/components/responses/Conflict" }
  /api/v1/seal-records:
    get:
      x-roles: [administrator, auditor]
      summary: Seal uses, oldest first, by seal, person, application and time (administrator, auditor)
      parameters:
        - $ref: "#/components/parameters/Limit"
        - { name: seal, in: query, schema: { type: string, pattern: "^[A-Za-z0-9._:@-]{1,64}$" } }
        - { name: user, in: query, schema: { type: string, pattern: "^[A-Za-z0-9._:@-]{1,64}$" } }
        - { name: application, in: query, schema: { type: string, pattern: "^[A-Za-z0-9._:@-]{1,64}$" } }
        - { name: from, in: query, description: "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC), inclusive; a day the month does not have is 400", schema: { type: string, pattern: "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z)?$" } }
        - { name: to, in: query, description: "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC), exclusive; a day the month does not have is 400", schema: { type: string, pattern: "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z)?$" } }
      responses:
        "200":
          description: Uses
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: { type: array, items: { $ref: "#/components/schemas/SealUse" } }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
  /api/v1/seal-records/report:
    get:
      x-roles: [administrator, auditor]
      summary: The weekly or monthly seal use report as CSV or a printable HTML page (administrator, auditor)
      parameters:
        - { name: period, in: query, schema: { type: string, enum: [weekly, monthly], default: monthly } }
        - { name: at, in: query, description: "A day in the week or month (YYYY-MM-DD, UTC); default today; a day the month does not have is 400", schema: { type: string, pattern: "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$" } }
        - { name: format, in: query, schema: { type: string, enum: [csv, html], default: csv } }
        - { name: seal, in: query, schema: { type: string, pattern: "^[A-Za-z0-9._:@-]{1,64}$" } }
        - { name: user, in: query, schema: { type: string, pattern: "^[A-Za-z0-9._:@-]{1,64}$" } }
      responses:
        "200":
          description: The report
          content:
            text/csv: {}
            text/html: {}
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
  /api/v1/notifications:
    get:
      x-roles: [employee, approver, administrator, auditor]
      summary: The caller's inbox, newest first
      parameters:
        - $ref: "#/components/parameters/Limit"
        - { name: unread, in: query, schema: { type: boolean, default: false } }
      responses:
        "200":
          description: Notices
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: { type: array, items: { $ref: "#/components/schemas/Notification" } }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
  /api/v1/notifications/{id}/read:
    post:
      x-roles: [owner]
      summary: Mark one of the caller's notices read
      parameters:
        - { name: id, in: path, required: true, schema: { type: integer, minimum: 1 } }
      responses:
        "200":
          description: Marked
          content:
            application/json:
              schema: { type: object, properties: { id: { type: integer } } }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "404": { $ref: "#/components/responses/NotFound" }
  /api/v1/firmware/images:
    post:
      x-roles: [administrator]
      summary: Upload a signed firmware image (administrator)
      description: |
        The body is the image file (docs/firmware.md). The server reads its manifest (model,
        version, minimum version) and refuses with 400 (field image) a body that is not a whole,
        well-formed image, an unsigned image, or one whose payload does not match its manifest's
        SHA-256; 409 when the same image is already stored. Whether the vendor key is trusted is
        checked by the device itself; its refusal shows in the rollout.
      requestBody:
        required: true
        content:
          application/octet-stream:
            schema: { type: string, format: binary, maxLength: 67108864 }
      responses:
        "201":
          description: The stored image
          content:
            application/json:
              schema: { $ref: "#/components/schemas/FirmwareImage" }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "409": { $ref: "#/components/responses/Conflict" }
    get:
      x-roles: [administrator, auditor]
      summary: Stored firmware images, newest first (administrator, auditor)
      parameters:
        - $ref: "#/components/parameters/Limit"
      responses:
        "200":
          description: The images
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: { type: array, items: { $ref: "#/components/schemas/FirmwareImage" } }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
  /api/v1/firmware/rollouts:
    post:
      x-roles: [administrator]
      summary: Roll an image out to chosen devices (administrator); connected devices are offered it at once
      description: |
        Each device must be enrolled, active and have a resource of the image's model. A device
        takes one flash at a time: a target waits (queued) behind the device's earlier one.
        Offline devices are offered the image when they next connect; a transfer resumes from
        the bytes the agent holds.
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              required: [image, devices]
              properties:
                image: { type: integer, minimum: 1 }
                devices: { type: array, items: { type: string, pattern: "^[A-Za-z0-9._:@-]{1,64}$" }, minItems: 1, maxItems: 1000, uniqueItems: true }
      responses:
        "201":
          description: The rollout, every device queued (or already offered)
          content:
            application/json:
              schema: { $ref: "#/components/schemas/FirmwareRollout" }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "404": { $ref: "#/components/responses/NotFound" }
        "409": { $ref: "#/components/responses/Conflict" }
    get:
      x-roles: [administrator, auditor]
      summary: Rollouts, newest first, with each device's state (administrator, auditor)
      parameters:
        - $ref: "#/components/parameters/Limit"
      responses:
        "200":
          description: The rollouts (without the per-device reports)
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: { type: array, items: { $ref: "#/components/schemas/FirmwareRollout" } }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
  /api/v1/firmware/rollouts/{id}:
    get:
      x-roles: [administrator, auditor]
      summary: One rollout with each device's state and every report its agent sent (administrator, auditor)
      parameters:
        - { name: id, in: path, required: true, schema: { type: integer, minimum: 1 } }
      responses:
        "200":
          description: The rollout
          content:
            application/json:
              schema: { $ref: "#/components/schemas/FirmwareRollout" }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "404": { $ref: "#/components/responses/NotFound" }
  /api/v1/audit:
    get:
      x-roles: [administrator, auditor]
      summary: Audit log entries, oldest first (administrator, auditor); there is no route that edits or deletes them
      parameters:
        - $ref: "#/components/parameters/Limit"
        - name: after
          in: query
          description: Only entries after this sequence number
          schema: { type: integer, minimum: 0 }
      responses:
        "200":
          description: Entries
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: { type: array, items: { $ref: "#/components/schemas/AuditEntry" } }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
  /api/v1/audit/verify:
    get:
      x-roles: [administrator, auditor]
      summary: Check the audit log's hash chain (administrator, auditor)
      responses:
        "200":
          description: The verdict; when broken, the first entry where the break shows
          content:
            application/json:
              schema:
                type: object
                properties:
                  intact: { type: boolean }
                  entries: { type: integer }
                  head: { type: string }
                  broken_at: { type: integer }
                  problem: { type: string }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
  /api/v1/audit/head:
    get:
      summary: The newest signed audit head, as an anchor file (auditor)
      description: >-
        The server signs its audit chain's head every minute (`serve --audit-head-interval-seconds`)
        when it moved, and sends it to the agents. Keep this file outside the server and check the
        database against it later with `imprimatur-server audit verify --against FILE`: a rewrite of
        the whole database, which keeps the chain consistent, no longer matches it.
      x-roles: [auditor]
      responses:
        "200":
          description: The signed head; `token` is what is checked, the other fields say the same for people
          content:
            application/json:
              schema:
                type: object
                required: [format, sequence, hash, signed_at, signed_at_ms, key_id, token]
                properties:
                  format: { type: string, enum: [imprimatur-audit-head-v1] }
                  sequence: { type: integer, minimum: 1, description: The newest audit entry when signed }
                  hash: { type: string, description: "That entry's chain hash (64 hex digits)" }
                  signed_at: { type: string, format: date-time }
                  signed_at_ms: { type: integer }
                  key_id: { type: string, description: "The server key that signed it (16 hex digits)" }
                  token: { type: string, description: "The signed head: hex of bytes<u16> head, then the Ed25519 signature (docs/protocol-uplink.md, auditHead)" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "404": { $ref: "#/components/responses/NotFound" }
  /api/v1/users/{id}/payments:
    parameters:
      - $ref: "#/components/parameters/UserID"
    post:
      x-roles: [administrator]
      summary: Record a payment (administrator); it buys use at the price table's rate (docs/quotas.md)
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              required: [amount]
              properties:
                amount: { type: integer, minimum: 1, maximum: 1000000000000, description: Minor units of the currency }
                currency: { type: string, pattern: "^[A-Z]{3}$", example: EUR, description: Defaults to a money quota's currency; needed for a page quota }
                note: { type: string, minLength: 1, maxLength: 200 }
      responses:
        "201":
          description: The quota after the payment
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Quota" }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "404": { $ref: "#/components/responses/NotFound" }
  /api/v1/users/{id}/adjustments:
    parameters:
      - $ref: "#/components/parameters/UserID"
    post:
      x-roles: [administrator]
      summary: Raise or lower the adjustment for this period only (administrator)
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              required: [amount, note]
              properties:
                amount:
                  type: integer
                  description: In the quota's unit; not 0
                  oneOf: [{ minimum: -1000000000000, maximum: -1 }, { minimum: 1, maximum: 1000000000000 }]
                note: { type: string, minLength: 1, maxLength: 200, description: Why }
      responses:
        "201":
          description: The quota after the adjustment
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Quota" }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "404": { $ref: "#/components/responses/NotFound" }
  /api/v1/users/{id}/ledger:
    parameters:
      - $ref: "#/components/parameters/UserID"
    get:
      x-roles: [administrator, auditor, owner]
      summary: The user's ledger entries, newest first (administrator, auditor, or the user)
      parameters:
        - { name: limit, in: query, schema: { type: integer, minimum: 1, maximum: 1000, default: 100 } }
      responses:
        "200":
          description: Ledger entries
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: { type: array, items: { $ref: "#/components/schemas/LedgerEntry" } }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "404": { $ref: "#/components/responses/NotFound" }
  /api/v1/payments/webhook:
    post:
      x-roles: [payment-provider]
      summary: The payment provider's webhook (no API token; HMAC-SHA256 signature, docs/quotas.md)
      security: [{ paymentSignature: [] }]
      parameters:
        - { name: Imprimatur-Timestamp, in: header, required: true, schema: { type: string, pattern: "^[0-9]{1,12}$" }, description: Unix time in seconds }
        - { name: Imprimatur-Signature, in: header, required: true, schema: { type: string }, description: "v1= then the hex HMAC-SHA256 of timestamp.body" }
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              required: [idempotency_key, user, amount, currency]
              properties:
                idempotency_key: { type: string, maxLength: 128 }
                user: { type: string }
                amount: { type: integer, minimum: 1 }
                currency: { type: string, pattern: "^[A-Z]{3}$", example: EUR }
                reference: { type: string }
      responses:
        "200": { description: "Booked (or a duplicate of a booked delivery: header Imprimatur-Duplicate: true)" }
        "400": { description: "Malformed body, or signed outside the replay window" }
        "401": { description: Missing or wrong signature }
        "409": { description: The idempotency key was used with another body }
        "422": { description: "Genuine but cannot be booked (unknown user, no quota, wrong currency); remembered by key" }
        "404": { description: No webhook secret configured }
  /api/v1/bills:
    get:
      x-roles: [administrator, auditor]
      summary: Issued bills without their lines, newest first (administrator, auditor)
      parameters:
        - $ref: "#/components/parameters/Limit"
        - { name: account, in: query, schema: { type: string }, description: "user:<id> or department:<name>" }
      responses:
        "200":
          description: Bills
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: { type: array, items: { type: object } }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
    post:
      x-roles: [administrator]
      summary: Issue a bill for an account and period (administrator; docs/bills.md). Bills are never changed; a correction names the bill it corrects.
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              required: [account, start]
              properties:
                account: { type: string, pattern: "^(user:[A-Za-z0-9._:@-]{1,64}|department:.{1,64})$", description: "user:<id> or department:<name>" }
                start: { type: string, pattern: "^([0-9]{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z)?)?|[0-9]{1,15})$", description: "YYYY-MM, YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or milliseconds; inclusive; a day the month does not have is 400" }
                end: { type: string, pattern: "^([0-9]{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z)?)?|[0-9]{1,15})$", description: "as start; exclusive; default: one month after start" }
                corrects: { type: string, description: the id of the bill this one corrects }
                currency: { type: string, pattern: "^[A-Z]{3}$", description: "ISO 4217; default: the first priced currency" }
      responses:
        "201":
          description: The bill (format imprimatur-bill-v1, docs/bills.md)
          content:
            application/json:
              schema: { type: object }
        "400": { $ref: "#/components/responses/BadRequest" }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "404": { $ref: "#/components/responses/NotFound" }
        "409": { description: A device has not yet sent a checkpoint covering a job of the bill }
  /api/v1/bills/{id}:
    get:
      x-roles: [administrator, auditor]
      summary: One bill, exactly as issued (administrator, auditor)
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
      responses:
        "200":
          description: The bill
          content:
            application/json:
              schema: { type: object }
        "401": { $ref: "#/components/responses/Unauthorized" }
        "403": { $ref: "#/components/responses/Forbidden" }
        "404": { $ref: "#/components/responses/NotFound" }
  /:
    get:
      x-roles: [anonymous]
      summary: "The web pages' start: redirects to /web"
      tags: [web]
      security: []
      responses:
        "303": { description: Done; back to a page (Location) }
        "403": { description: "An HTML page: the CSRF token is missing or wrong, or the role does not allow it" }
  /web/static/site.css:
    get:
      x-roles: [anonymous]
      summary: "The web pages' stylesheet"
      tags: [web]
      security: []
      responses:
        "200": { description: The stylesheet (text/css) }
  /web/login:
    get:
      x-roles: [anonymous]
      summary: "Web login form (sets the login form's CSRF cookie)"
      tags: [web]
      security: []
      responses:
        "200": { description: "An HTML page (text/html), or CSV with format=csv" }
    post:
      x-roles: [anonymous]
      summary: "Web login (form: csrf, user, password, next); lockout after repeated failures"
      tags: [web]
      security: []
      responses:
        "303": { description: Done; back to a page (Location) }
        "403": { description: "An HTML page: the CSRF token is missing or wrong, or the role does not allow it" }
  /web/logout:
    post:
      x-roles: [employee, approver, administrator, auditor]
      summary: "Web logout (form: csrf)"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "303": { description: Done; back to a page (Location) }
        "403": { description: "An HTML page: the CSRF token is missing or wrong, or the role does not allow it" }
  /web:
    get:
      x-roles: [employee, approver, administrator, auditor]
      summary: "Dashboard: approvals waiting, devices offline or in fault, users near their limit, chain and signature failures, a use chart"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "200": { description: "An HTML page (text/html), or CSV with format=csv" }
        "303": { description: No live session; to /web/login }
        "403": { description: An HTML page saying which role is needed }
  /web/usage:
    get:
      x-roles: [employee, approver, administrator, auditor]
      summary: "Use over time per user, department or device (by, key, range=week|month|year) as an SVG chart; format=csv"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "200": { description: "An HTML page (text/html), or CSV with format=csv" }
        "303": { description: No live session; to /web/login }
        "403": { description: An HTML page saying which role is needed }
  /web/blobs/{hash}:
    parameters:
      - { name: hash, in: path, required: true, schema: { type: string } }
    get:
      x-roles: [auditor]
      summary: "A scanned page (job=, auditors only) or a seal use's photo (application=, its people)"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "200": { description: "An HTML page (text/html), or CSV with format=csv" }
        "303": { description: No live session; to /web/login }
        "403": { description: An HTML page saying which role is needed }
  /web/me:
    get:
      x-roles: [employee]
      summary: "Employee: own use and balance; format=csv"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "200": { description: "An HTML page (text/html), or CSV with format=csv" }
        "303": { description: No live session; to /web/login }
        "403": { description: An HTML page saying which role is needed }
  /web/applications:
    get:
      x-roles: [employee]
      summary: "Employee: own seal applications and the form to apply; format=csv"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "200": { description: "An HTML page (text/html), or CSV with format=csv" }
        "303": { description: No live session; to /web/login }
        "403": { description: An HTML page saying which role is needed }
    post:
      x-roles: [employee]
      summary: "Employee: apply for a seal (form: csrf, seal, reason, uses, photos, approvers, cc)"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "303": { description: Done; back to a page (Location) }
        "403": { description: "An HTML page: the CSRF token is missing or wrong, or the role does not allow it" }
  /web/applications/{id}:
    parameters:
      - { name: id, in: path, required: true, schema: { type: string } }
    get:
      x-roles: [administrator, auditor, owner]
      summary: "A seal application's record: timeline, uses with photos and place, the approver's actions"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "200": { description: "An HTML page (text/html), or CSV with format=csv" }
        "303": { description: No live session; to /web/login }
        "403": { description: An HTML page saying which role is needed }
  /web/applications/{id}/{action}:
    parameters:
      - { name: id, in: path, required: true, schema: { type: string } }
      - { name: action, in: path, required: true, schema: { type: string } }
    post:
      x-roles: [administrator, owner]
      summary: "Approver: approve, forward (to), reject or revoke an application (form: csrf, note)"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "303": { description: Done; back to a page (Location) }
        "403": { description: "An HTML page: the CSRF token is missing or wrong, or the role does not allow it" }
  /web/shares:
    get:
      x-roles: [employee]
      summary: "Employee: own split-charge shares"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "200": { description: "An HTML page (text/html), or CSV with format=csv" }
        "303": { description: No live session; to /web/login }
        "403": { description: An HTML page saying which role is needed }
  /web/shares/{job}/{payer}/{action}:
    parameters:
      - { name: job, in: path, required: true, schema: { type: string } }
      - { name: payer, in: path, required: true, schema: { type: string, pattern: "^[A-Za-z0-9._:@-]{1,64}$" } }
      - { name: action, in: path, required: true, schema: { type: string } }
    post:
      x-roles: [owner]
      summary: "Employee: authenticate (pin), approve or reject a split share (form: csrf)"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "303": { description: Done; back to a page (Location) }
        "403": { description: "An HTML page: the CSRF token is missing or wrong, or the role does not allow it" }
  /web/bills:
    get:
      x-roles: [employee, auditor]
      summary: "Own bills (employee) or every bill (auditor); format=csv"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "200": { description: "An HTML page (text/html), or CSV with format=csv" }
        "303": { description: No live session; to /web/login }
        "403": { description: An HTML page saying which role is needed }
  /web/bills/{id}:
    parameters:
      - { name: id, in: path, required: true, schema: { type: string } }
    get:
      x-roles: [auditor, owner]
      summary: "A bill with its verification result"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "200": { description: "An HTML page (text/html), or CSV with format=csv" }
        "303": { description: No live session; to /web/login }
        "403": { description: An HTML page saying which role is needed }
  /web/inbox:
    get:
      x-roles: [approver]
      summary: "Approver: applications waiting on the caller; format=csv"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "200": { description: "An HTML page (text/html), or CSV with format=csv" }
        "303": { description: No live session; to /web/login }
        "403": { description: An HTML page saying which role is needed }
  /web/admin/users:
    get:
      x-roles: [administrator]
      summary: "Administrator: users; format=csv"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "200": { description: "An HTML page (text/html), or CSV with format=csv" }
        "303": { description: No live session; to /web/login }
        "403": { description: An HTML page saying which role is needed }
    post:
      x-roles: [administrator]
      summary: "Administrator: create a user (form)"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "303": { description: Done; back to a page (Location) }
        "403": { description: "An HTML page: the CSRF token is missing or wrong, or the role does not allow it" }
  /web/admin/users/{id}:
    parameters:
      - { name: id, in: path, required: true, schema: { type: string } }
    get:
      x-roles: [administrator]
      summary: "Administrator: a user's cards, quota, balance and ledger"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "200": { description: "An HTML page (text/html), or CSV with format=csv" }
        "303": { description: No live session; to /web/login }
        "403": { description: An HTML page saying which role is needed }
  /web/admin/users/{id}/{action}:
    parameters:
      - { name: id, in: path, required: true, schema: { type: string } }
      - { name: action, in: path, required: true, schema: { type: string } }
    post:
      x-roles: [administrator]
      summary: "Administrator: cards, remove-card, roles, quota, adjustment, payment, enable, disable, password (form)"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "303": { description: Done; back to a page (Location) }
        "403": { description: "An HTML page: the CSRF token is missing or wrong, or the role does not allow it" }
  /web/admin/prices:
    get:
      x-roles: [administrator]
      summary: "Administrator: prices; format=csv"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "200": { description: "An HTML page (text/html), or CSV with format=csv" }
        "303": { description: No live session; to /web/login }
        "403": { description: An HTML page saying which role is needed }
    post:
      x-roles: [administrator]
      summary: "Administrator: set a price (form)"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "303": { description: Done; back to a page (Location) }
        "403": { description: "An HTML page: the CSRF token is missing or wrong, or the role does not allow it" }
  /web/admin/devices:
    get:
      x-roles: [administrator]
      summary: "Administrator: devices with state, link, last seen and firmware; format=csv"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "200": { description: "An HTML page (text/html), or CSV with format=csv" }
        "303": { description: No live session; to /web/login }
        "403": { description: An HTML page saying which role is needed }
  /web/admin/tokens:
    get:
      x-roles: [administrator]
      summary: "Administrator: enrolment tokens; format=csv"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "200": { description: "An HTML page (text/html), or CSV with format=csv" }
        "303": { description: No live session; to /web/login }
        "403": { description: An HTML page saying which role is needed }
    post:
      x-roles: [administrator]
      summary: "Administrator: make an enrolment token (form: csrf, name, hours)"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "303": { description: Done; back to a page (Location) }
        "403": { description: "An HTML page: the CSRF token is missing or wrong, or the role does not allow it" }
  /web/admin/firmware:
    get:
      x-roles: [administrator]
      summary: "Administrator: firmware images, a form to start a rollout, the rollouts with their progress; format=csv"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "200": { description: "An HTML page (text/html), or CSV with format=csv" }
        "303": { description: No live session; to /web/login }
        "403": { description: An HTML page saying which role is needed }
  /web/admin/firmware/rollouts:
    post:
      x-roles: [administrator]
      summary: "Administrator: start a firmware rollout (form: csrf, image, device repeated)"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "303": { description: "Done; to the rollout's page, or back with what was wrong (Location)" }
        "403": { description: "An HTML page: the CSRF token is missing or wrong, or the role does not allow it" }
  /web/admin/firmware/rollouts/{id}:
    parameters:
      - { name: id, in: path, required: true, schema: { type: string } }
    get:
      x-roles: [administrator]
      summary: "Administrator: one rollout, each device's state and transfer, and everything each device reported; format=csv"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "200": { description: "An HTML page (text/html), or CSV with format=csv" }
        "303": { description: No live session; to /web/login }
        "403": { description: An HTML page saying which role is needed }
        "404": { description: An HTML page; no such rollout }
  /web/audit/jobs:
    get:
      x-roles: [auditor]
      summary: "Auditor: every job; format=csv"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "200": { description: "An HTML page (text/html), or CSV with format=csv" }
        "303": { description: No live session; to /web/login }
        "403": { description: An HTML page saying which role is needed }
  /web/audit/jobs/{id}:
    parameters:
      - { name: id, in: path, required: true, schema: { type: string } }
    get:
      x-roles: [auditor]
      summary: "Auditor: a job with its copied content"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "200": { description: "An HTML page (text/html), or CSV with format=csv" }
        "303": { description: No live session; to /web/login }
        "403": { description: An HTML page saying which role is needed }
  /web/audit/seal-uses:
    get:
      x-roles: [auditor]
      summary: "Auditor: every seal use; format=csv"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "200": { description: "An HTML page (text/html), or CSV with format=csv" }
        "303": { description: No live session; to /web/login }
        "403": { description: An HTML page saying which role is needed }
  /web/audit/security:
    get:
      x-roles: [auditor]
      summary: "Auditor: security events; format=csv"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "200": { description: "An HTML page (text/html), or CSV with format=csv" }
        "303": { description: No live session; to /web/login }
        "403": { description: An HTML page saying which role is needed }
  /web/audit/log:
    get:
      x-roles: [auditor]
      summary: "Auditor: the audit log; verify=1 verifies its hash chain; format=csv"
      tags: [web]
      security: [{ session: [] }]
      responses:
        "200": { description: "An HTML page (text/html), or CSV with format=csv" }
        "303": { description: No live session; to /web/login }
        "403": { description: An HTML page saying which role is needed }
components:
  securitySchemes:
    bearer:
      type: http
      scheme: bearer
    session:
      type: apiKey
      in: cookie
      name: imprimatur_session
      description: The web pages' login session (POST /web/login); with no live session a page redirects to /web/login (303)
    paymentSignature:
      type: apiKey
      in: header
      name: Imprimatur-Signature
      description: The payment provider's HMAC-SHA256 signature of timestamp.body with the webhook secret
  parameters:
    UserID:
      name: id
      in: path
      required: true
      schema: { type: string, pattern: "^[A-Za-z0-9._:@-]{1,64}$" }
    ApplicationID:
      name: id
      in: path
      required: true
      schema: { type: string, pattern: "^[A-Za-z0-9._:@-]{1,64}$" }
    Limit:
      name: limit
      in: query
      schema: { type: integer, minimum: 1, maximum: 1000, default: 100 }
  responses:
    BadRequest:
      description: Malformed JSON or a bad field; `field` names it
      content:
        application/json:
          schema: { $ref: "#/components/schemas/Error" }
    Unauthorized:
      description: No API token, or not a valid one
      content:
        application/json:
          schema: { $ref: "#/components/schemas/Error" }
    Forbidden:
      description: The caller lacks the role (or the enrolment token is used, expired or unknown)
      content:
        application/json:
          schema: { $ref: "#/components/schemas/Error" }
    NotFound:
      description: No such thing
      content:
        application/json:
          schema: { $ref: "#/components/schemas/Error" }
    Conflict:
      description: Clashes with what exists
      content:
        application/json:
          schema: { $ref: "#/components/schemas/Error" }
  schemas:
    Error:
      type: object
      required: [error]
      properties:
        error: { type: string }
        field: { type: string }
    Health:
      type: object
      properties:
        status: { type: string, enum: [ok, degraded] }
        version: { type: string }
        protocol_version: { type: integer }
        store: { type: string, enum: [ok, unavailable] }
    StringList:
      type: object
      properties:
        items: { type: array, items: { type: string } }
    NewUser:
      type: object
      additionalProperties: false
      required: [name, roles]
      properties:
        id: { type: string, description: "Default: made from the name (Alice Smith -> alice.smith)" }
        name: { type: string, minLength: 1 }
        department: { type: string }
        roles: { type: array, minItems: 1, maxItems: 4, items: { type: string, enum: [employee, approver, administrator, auditor] } }
        cards: { type: array, items: { type: string } }
        pin: { type: string, pattern: "^[0-9]{4,16}$" }
        password: { type: string, minLength: 8 }
    User:
      type: object
      properties:
        id: { type: string }
        name: { type: string }
        department: { type: string }
        roles: { type: array, items: { type: string } }
        active: { type: boolean }
        cards: { type: array, items: { type: string } }
        has_pin: { type: boolean }
        has_password: { type: boolean }
        created: { type: string, format: date-time }
    UserList:
      type: object
      properties:
        items: { type: array, items: { $ref: "#/components/schemas/User" } }
    Quota:
      type: object
      properties:
        user: { type: string }
        period: { type: string }
        unit: { type: string, enum: [pages, money] }
        currency: { type: string }
        limit: { type: integer }
        adjustment: { type: integer }
        period_start: { type: string, format: date-time }
        period_end: { type: string, format: date-time }
        first_limit: { type: integer, description: limit + what payments this period added to it }
        effective_adjustment: { type: integer, description: adjustment + adjustment entries (and payments under the adjustment policy) this period }
        second_limit: { type: integer }
        used: { type: integer }
        remaining: { type: integer }
        overdraft_used: { type: integer, description: How much of the adjustment is used }
        paid: { type: integer, description: "What payments this period bought, in the quota's unit" }
        repaid: { type: integer, description: The part of paid that repaid overdraft used }
    Resource:
      type: object
      required: [id, type]
      properties:
        id: { type: string }
        type: { type: string, enum: [copier, seal] }
    Device:
      type: object
      properties:
        id: { type: string }
        name: { type: string }
        model: { type: string }
        firmware: { type: string }
        public_key: { type: string, description: 64 hex digits }
        key_id: { type: string }
        enrolled_at: { type: string, format: date-time }
        last_seen: { type: string, format: date-time }
        state: { type: string, enum: [active, disabled] }
        resources: { type: array, items: { $ref: "#/components/schemas/Resource" } }
        permissions: { type: array, items: { type: string }, description: "Empty: every user may use it" }
    EnrollmentRequest:
      type: object
      additionalProperties: false
      required: [token, device_id, public_key, model, firmware]
      properties:
        token: { type: string, pattern: "^[0-9a-fA-F]{64}$", description: 64 hex digits from `imprimatur-server device token` }
        device_id: { type: string, pattern: "^[A-Za-z0-9._:@-]{1,64}$" }
        public_key: { type: string, pattern: "^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=)$", description: The device's 32-byte Ed25519 public key as 64 hex digits or base64 }
        model: { type: string }
        firmware: { type: string }
        resources:
          type: array
          maxItems: 16
          description: "Default: one copier whose id is the device id. Each id must be one no other enrolled device has."
          items:
            type: object
            additionalProperties: false
            required: [id, type]
            properties:
              id: { type: string, pattern: "^[A-Za-z0-9._:@-]{1,64}$" }
              type: { type: string, enum: [copier, seal] }
    ServerKey:
      type: object
      properties:
        key_id: { type: string }
        public_key: { type: string }
        valid_until: { type: string, format: date-time, description: "Absent for the current key" }
        valid_until_ms: { type: integer }
        published_until: { type: string, format: date-time }
    Enrollment:
      type: object
      properties:
        device_id: { type: string }
        name: { type: string }
        server_id: { type: string }
        server_keys: { type: array, items: { $ref: "#/components/schemas/ServerKey" } }
        resources: { type: array, items: { $ref: "#/components/schemas/Resource" } }
    Price:
      type: object
      properties:
        paper: { type: string }
        colour: { type: boolean }
        price: { type: integer }
        currency: { type: string }
    Job:
      type: object
      properties:
        id: { type: string }
        device: { type: string }
        user: { type: string }
        grant: { type: string }
        paper: { type: string }
        colour: { type: boolean }
        pages: { type: integer }
        copies: { type: integer }
        duplex: { type: boolean }
        started: { type: string, format: date-time }
        ended: { type: string, format: date-time }
    Charge:
      type: object
      properties:
        id: { type: integer }
        job: { type: string }
        user: { type: string }
        pages: { type: integer }
        amount: { type: integer }
        currency: { type: string }
        at: { type: string, format: date-time }
    SealApplicationRequest:
      type: object
      additionalProperties: false
      required: [seal, reason, uses, approvers]
      properties:
        seal: { type: string, pattern: "^[A-Za-z0-9._:@-]{1,64}$", description: "The seal's resource id" }
        reason: { type: string, maxLength: 500 }
        uses: { type: integer, minimum: 1, maximum: 1000 }
        photos: { type: integer, minimum: 0, maximum: 100, default: 0, description: Photos of the stamped documents to take after use }
        approvers: { type: array, minItems: 1, maxItems: 10, items: { type: string }, description: "One approver per level, in order" }
        cc: { type: array, maxItems: 20, items: { type: string } }
    FirmwareImage:
      type: object
      properties:
        id: { type: integer }
        model: { type: string, enum: [copier, seal] }
        version: { type: string, example: "1.3.0" }
        minimum_version: { type: string }
        size: { type: integer }
        sha256: { type: string }
        uploaded: { type: string, format: date-time }
        uploaded_by: { type: string }
    FirmwareRollout:
      type: object
      properties:
        id: { type: integer }
        image: { $ref: "#/components/schemas/FirmwareImage" }
        created: { type: string, format: date-time }
        created_by: { type: string }
        finished: { type: boolean, description: "every device confirmed, rolled back or failed" }
        summary: { type: object, additionalProperties: { type: integer }, description: devices per state }
        devices:
          type: array
          items:
            type: object
            properties:
              device: { type: string }
              transfer: { type: integer, description: the image id of this transfer on the uplink }
              state:
                type: string
                enum: [offline, queued, sending, verifying, installed, trial, confirmed, rolled_back, failed]
                description: offline while the step is not final and the device is not connected; else step
              step: { type: string, enum: [queued, sending, verifying, installed, trial, confirmed, rolled_back, failed] }
              online: { type: boolean }
              bytes_sent: { type: integer }
              bytes_received: { type: integer }
              image_size: { type: integer }
              message: { type: string, description: "the agent's detail, the reason when failed or rolled back" }
              updated: { type: string, format: date-time }
              reports:
                type: array
                description: every firmwareStatus the agent sent, oldest first (only on GET /firmware/rollouts/{id})
                items:
                  type: object
                  properties:
                    at: { type: string, format: date-time }
                    state: { type: string, enum: [receiving, verifying, installed, trial, confirmed, rolledBack, failed] }
                    bytes_received: { type: integer }
                    message: { type: string }
    SplitJob:
      type: object
      properties:
        id: { type: string }
        requester: { type: string }
        device: { type: string }
        title: { type: string }
        page_count: { type: integer }
        created: { type: string, format: date-time }
        deadline: { type: string, format: date-time }
        parts:
          type: array
          items:
            type: object
            properties:
              part: { type: integer }
              pages: { type: string }
              copies: { type: integer }
              colour: { type: boolean }
              paper_size: { type: string }
              paper_type: { type: string }
              status: { type: string, enum: [waiting, released, rejected, timed-out] }
              released: { type: string, format: date-time }
              ended: { type: string, format: date-time }
              data_deleted: { type: string, format: date-time }
              pdf_size: { type: integer }
              pdf_sha256: { type: string }
              payers:
                type: array
                items:
                  type: object
                  properties:
                    payer: { type: string }
                    percent: { type: integer }
                    state: { type: string, enum: [requesting, authenticated, approved, rejected, timed-out] }
                    state_at: { type: string, format: date-time }
                    requests: { type: integer }
                    amount: { type: integer }
                    currency: { type: string }
    SealApplication:
      type: object
      properties:
        id: { type: string }
        applicant: { type: string }
        seal: { type: string }
        reason: { type: string }
        uses: { type: integer }
        photos: { type: integer }
        approvers: { type: array, items: { type: string } }
        cc: { type: array, items: { type: string } }
        status: { type: string, enum: [pending, approved, rejected, revoked] }
        level: { type: integer, description: "The level waiting (1-based), while pending" }
        waiting_on: { type: string }
        submitted: { type: string, format: date-time }
        decided: { type: string, format: date-time }
        revoked_at: { type: string, format: date-time }
        uses_made: { type: integer }
        uses_remaining: { type: integer }
        timeline:
          type: array
          items:
            type: object
            properties:
              at: { type: string, format: date-time }
              actor: { type: string }
              action: { type: string, enum: [submitted, approved, forwarded, rejected, completed, revoked, used] }
              level: { type: integer }
              to: { type: string }
              uses: { type: integer }
              flagged: { type: string }
              note: { type: string }
        records: { type: array, items: { $ref: "#/components/schemas/SealUse" } }
    SealUse:
      type: object
      properties:
        at: { type: string, format: date-time }
        seal: { type: string }
        application: { type: string }
        user: { type: string }
        device: { type: string }
        place: { type: string }
        latitude: { type: number }
        longitude: { type: number }
        photos: { type: array, items: { type: string, description: SHA-256 of the photo blob } }
        use_number: { type: integer }
        uses_remaining: { type: integer }
        flagged: { type: string, description: The security event kind when the use should not have happened }
    Notification:
      type: object
      properties:
        id: { type: integer }
        kind: { type: string }
        subject: { type: string }
        text: { type: string }
        details: { type: object, additionalProperties: { type: string } }
        at: { type: string, format: date-time }
        read: { type: string, format: date-time }
    AuditEntry:
      type: object
      properties:
        sequence: { type: integer }
        at: { type: string, format: date-time }
        actor: { type: string }
        source: { type: string }
        action: { type: string }
        target: { type: string }
        details: { type: object, additionalProperties: { type: string } }
        previous_hash: { type: string }
        hash: { type: string }
    LedgerEntry:
      type: object
      properties:
        id: { type: integer }
        user: { type: string }
        at: { type: string, format: date-time }
        kind: { type: string, enum: [use, payment, adjustment, limit, overdraft] }
        pages: { type: integer }
        amount: { type: integer }
        currency: { type: string }
        job: { type: string }
        note: { type: string }
        actor: { type: string }
"""#
}
