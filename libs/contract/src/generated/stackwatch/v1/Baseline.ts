// Original file: proto/stackwatch/v1/ingest.proto


export interface Baseline {
}

export interface Baseline__Output {
}
