// A mongoose model on a given connection (never on global mongoose), created once per connection.
import type { Connection, Model, Schema } from 'mongoose';

export function modelOn<T>(connection: Connection, name: string, schema: Schema<T>, collection?: string): Model<T> {
  return (connection.models[name] as Model<T> | undefined) ?? connection.model<T>(name, schema, collection);
}
