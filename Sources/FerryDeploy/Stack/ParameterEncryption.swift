/// The KMS key that encrypts the bot token and the webhook secret in SSM Parameter Store.
public enum ParameterEncryption: Sendable, Hashable {
    /// The account's AWS managed key for Parameter Store, `alias/aws/ssm`. Its key policy already lets every
    /// principal in the account decrypt through SSM, so the functions' roles need no KMS statement; access is
    /// controlled by `ssm:GetParameter` on the two parameters alone.
    case awsManagedKey
    /// A customer managed key, given by its ARN. Its key policy must let the account delegate use of the key
    /// to IAM; each function that reads a parameter then gets `kms:Decrypt` on this key, only through SSM.
    /// Use it to keep other principals in the account from reading the token even if they may read parameters.
    case customerManagedKey(arn: String)
}
