// The fields of an application to the open call, as the join form sends them
// and as the console reads them back (the API's ApplicationRequest).
export interface ApplicationFields {
  organization_name: string;
  country: string;
  kind: string;
  website: string;
  contact_name: string;
  contact_email: string;
  endorse: boolean;
  show_publicly: boolean;
  wants_slot: boolean;
  speaker_name: string;
  speaker_language: string;
  speaker_timezone: string;
  note: string;
}
