-- The job store as EnsureCreated made it at commit 104466d (the last release before migrations),
-- generated with 'dotnet ef dbcontext script' from that commit's model. Do not edit: it is history.
CREATE TABLE "data_protection_keys" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_data_protection_keys" PRIMARY KEY AUTOINCREMENT,
    "FriendlyName" TEXT NULL,
    "Xml" TEXT NULL
);


CREATE TABLE "head_shot_jobs" (
    "TrackId" INTEGER NOT NULL CONSTRAINT "PK_head_shot_jobs" PRIMARY KEY AUTOINCREMENT,
    "RequestId" TEXT NOT NULL,
    "ModelsLabId" TEXT NULL,
    "State" TEXT NOT NULL,
    "TraceParent" TEXT NULL,
    "TraceState" TEXT NULL,
    "CreatedAt" TEXT NOT NULL,
    "UpdatedAt" TEXT NOT NULL,
    "SubmittedAt" TEXT NULL,
    "FinishedAt" TEXT NULL,
    "NextPollAt" TEXT NULL,
    "PollAttempts" INTEGER NOT NULL,
    "EtaSeconds" REAL NULL,
    "Outputs" TEXT NOT NULL,
    "OutputsExpireAt" TEXT NULL,
    "Delivery" TEXT NULL,
    "GenerationSeconds" REAL NULL,
    "FailureReason" TEXT NULL,
    "FailureMessage" TEXT NULL,
    "FieldErrors" TEXT NULL,
    "Metadata" TEXT NULL,
    "TerminalEventPending" INTEGER NOT NULL,
    "PublishClaimedUntil" TEXT NULL,
    "Version" INTEGER NOT NULL
);


CREATE INDEX "IX_head_shot_jobs_ModelsLabId" ON "head_shot_jobs" ("ModelsLabId");


CREATE INDEX "IX_head_shot_jobs_NextPollAt" ON "head_shot_jobs" ("NextPollAt");


CREATE UNIQUE INDEX "IX_head_shot_jobs_RequestId" ON "head_shot_jobs" ("RequestId");


CREATE INDEX "IX_head_shot_jobs_State" ON "head_shot_jobs" ("State");


CREATE INDEX "IX_head_shot_jobs_TerminalEventPending_PublishClaimedUntil" ON "head_shot_jobs" ("TerminalEventPending", "PublishClaimedUntil");


